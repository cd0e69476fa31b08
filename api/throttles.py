"""Per-token rate limits: each token (or, for the browsable docs, each signed-in person)
has its own budget of reads and of writes a minute; past it, a 429 problem with
`Retry-After`. Counts live in the default cache: with the local-memory cache each worker
process counts on its own, so the real limit is the rate times the number of workers."""

from rest_framework.throttling import SimpleRateThrottle

from api.models import ApiToken

SAFE_METHODS = ("GET", "HEAD", "OPTIONS")


class TokenRateThrottle(SimpleRateThrottle):
    """Reads (scope `api_read`) and writes (scope `api_write`) are counted apart, so a
    system that reads a lot can still write."""

    def __init__(self):
        pass  # the rate depends on the request's method: set in allow_request

    def allow_request(self, request, view):
        self.scope = "api_read" if request.method in SAFE_METHODS else "api_write"
        self.rate = self.get_rate()
        self.num_requests, self.duration = self.parse_rate(self.rate)
        return super().allow_request(request, view)

    def get_rate(self):
        # Read at each request (not once at import) so a deployment's settings, and tests'
        # overrides, take effect.
        from rest_framework.settings import api_settings

        return api_settings.DEFAULT_THROTTLE_RATES[self.scope]

    def get_cache_key(self, request, view):
        if isinstance(request.auth, ApiToken):
            who = f"token-{request.auth.pk}"
        elif request.user and request.user.is_authenticated:
            who = f"user-{request.user.pk}"
        else:
            return None  # nobody: refused with a 401 before any work is done
        return self.cache_format % {"scope": self.scope, "ident": who}
