"""Nothing but enrolment and verification before the second factor.

After the password, a signed-in session that has not met its second factor reaches
only the pages that get it there (enrolment, verification), sign-out, the sign-in page
and static files; every other URL, the Django admin included, redirects there. API
requests that carry a token are left to the token: it is its own credential
(docs/api.md). Runs after django-otp's OTPMiddleware, which finds the verifying device.
"""

from urllib.parse import urlencode

from django.conf import settings
from django.shortcuts import redirect
from django.urls import Resolver404, resolve, reverse

from accounts.mfa_policy import Standing, standing

# The views of the `mfa` namespace each standing may reach; passkey ceremonies
# (namespace otp_webauthn) check for themselves.
REACHABLE = {
    Standing.ENROL: {"enrol", "enrol_totp", "enrol_passkey"},
    Standing.VERIFY: {"verify"},
    Standing.ENROL_PASSKEY: {"enrol_passkey"},
}
DESTINATION = {
    Standing.ENROL: "mfa:enrol",
    Standing.VERIFY: "mfa:verify",
    Standing.ENROL_PASSKEY: "mfa:enrol_passkey",
}
ALWAYS = {"login", "logout"}


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is None or not user.is_authenticated or self._exempt(request):
            return self.get_response(request)
        where = request.mfa_standing = standing(request)
        if where is Standing.SATISFIED or self._reachable(request, where):
            return self.get_response(request)
        target = reverse(DESTINATION[where])
        if where is Standing.VERIFY and request.method == "GET":
            target += "?" + urlencode({"next": request.get_full_path()})
        return redirect(target)

    @staticmethod
    def _exempt(request) -> bool:
        if request.path_info.startswith("/" + settings.STATIC_URL.lstrip("/")):
            return True
        # A token request authenticates itself (api.authentication), and a bad token is a
        # 401 there, never a fall back to the session. Any other Authorization header is no
        # credential: the session behind it must have met its second factor.
        scheme = request.META.get("HTTP_AUTHORIZATION", "").split(" ", 1)[0]
        return request.path_info.startswith("/api/") and scheme == "Bearer"

    @staticmethod
    def _reachable(request, where: Standing) -> bool:
        try:
            match = resolve(request.path_info)
        except Resolver404:
            return False
        if match.url_name in ALWAYS and not match.namespace:
            return True
        if match.namespace == "otp_webauthn":
            return True
        return match.namespace == "mfa" and match.url_name in REACHABLE[where]
