"""Who is asking: a personal API token (`Authorization: Bearer icac_...`), or the
browser's session for the browsable docs."""

from datetime import timedelta

from django.utils import timezone
from drf_spectacular.authentication import SessionScheme
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework import authentication, exceptions

from accounts.mfa_policy import Standing, standing
from api.models import ApiToken
from api.tokens import TOKEN_PREFIX, hash_secret

LAST_USED_PRECISION = timedelta(minutes=1)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).decode("latin-1").split()
        if not header or header[0] != self.keyword:
            return None
        if len(header) != 2 or not header[1].startswith(TOKEN_PREFIX):
            raise exceptions.AuthenticationFailed(
                f"The Authorization header must be 'Bearer {TOKEN_PREFIX}...' with one token."
            )
        token = (
            ApiToken.objects.select_related("user")
            .filter(secret_hash=hash_secret(header[1]))
            .first()
        )
        if token is None:
            raise exceptions.AuthenticationFailed("This API token is not known.")
        if token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(
                f"The API token {token.prefix}… was revoked on {token.revoked_at:%Y-%m-%d}."
            )
        if token.is_expired:
            raise exceptions.AuthenticationFailed(
                f"The API token {token.prefix}… expired after {token.expires_on:%Y-%m-%d}."
            )
        if not token.user.is_active:
            raise exceptions.AuthenticationFailed("The API token's user is deactivated.")
        now = timezone.now()
        # A write on every read would cost more than the read: the time of last use is
        # kept to the minute.
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return token.user, token

    def authenticate_header(self, request):
        # A 401 (not a 403) for a missing or bad token: the client should authenticate.
        return f'{self.keyword} realm="api"'


class ApiTokenScheme(OpenApiAuthenticationExtension):
    target_class = ApiTokenAuthentication
    name = "apiToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "A personal API token, made on the API tokens page.",
        }


class VerifiedSessionAuthentication(authentication.SessionAuthentication):
    """The browser's session, for the browsable docs, only once it has met its second
    factor: the pages' middleware already stops the rest, and this holds for the API
    whatever reaches it (accounts.mfa_policy)."""

    def authenticate(self, request):
        found = super().authenticate(request)
        if found is None or standing(request._request) is not Standing.SATISFIED:
            return None
        return found


class VerifiedSessionScheme(SessionScheme):
    target_class = VerifiedSessionAuthentication
