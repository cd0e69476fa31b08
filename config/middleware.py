from django.conf import settings
from django.http import HttpRequest, HttpResponse

from grants.request_context import request_context, request_id_from, source_address
from grants.selectors import rules_read_once

# No inline scripts or styles anywhere: templates load the app's own files only.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


class SecurityHeadersMiddleware:
    """Adds the CSP, and keeps signed-in pages and downloads out of shared caches."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            response["Cache-Control"] = "no-store"
        return response


class RequestContextMiddleware:
    """Gives every request an id (the caller's valid X-Request-ID, else a new UUID), echoed
    in the response's X-Request-ID, and notes the address it came from (REMOTE_ADDR, or
    X-Forwarded-For read behind DJANGO_TRUSTED_PROXY_COUNT proxies). Audit events written
    while the request runs carry both (grants.request_context). The rule values the
    request asks for are read once, in one query (grants.selectors.rules_read_once)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request_id = request_id_from(request.headers.get("X-Request-ID"))
        address = source_address(request.META, settings.TRUSTED_PROXY_COUNT)
        request.request_id = request_id
        with request_context(request_id, address), rules_read_once():
            response = self.get_response(request)
        response["X-Request-ID"] = request_id
        return response
