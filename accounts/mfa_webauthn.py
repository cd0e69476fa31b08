"""Passkeys (django-otp-webauthn), as this system uses them: a second factor after the
password (never passwordless), with the person's user verification (PIN or biometric)
required, every registration and verification audited, and the step-up clock set."""

import json
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.http import JsonResponse
from django.urls import path, reverse
from django.views.i18n import JavaScriptCatalog
from django_otp_webauthn import views as webauthn_views
from django_otp_webauthn.exceptions import OTPWebAuthnApiError
from django_otp_webauthn.helpers import WebAuthnHelper
from webauthn.helpers.structs import UserVerificationRequirement

from accounts import mfa_changes, mfa_policy, mfa_recovery


class PasskeyHelper(WebAuthnHelper):
    def get_relying_party_domain(self) -> str:
        if not settings.OTP_WEBAUTHN_RP_ID:
            raise ImproperlyConfigured("Set DJANGO_WEBAUTHN_RP_ID (or DJANGO_ALLOWED_HOSTS).")
        return settings.OTP_WEBAUTHN_RP_ID

    def get_allowed_origins(self) -> list[str]:
        origins = list(settings.OTP_WEBAUTHN_ALLOWED_ORIGINS)
        # Development and browser tests serve http://localhost on a port of their own.
        if settings.WEBAUTHN_LOCALHOST_ANY_PORT:
            origin = f"{self.request.scheme}://{self.request.get_host()}"
            if urlsplit(origin).hostname == "localhost":
                origins.append(origin)
        if not origins:
            raise ImproperlyConfigured("Set DJANGO_WEBAUTHN_ORIGINS (or DJANGO_ALLOWED_HOSTS).")
        return origins

    def get_generate_registration_options_kwargs(self, *, user) -> dict:
        options = super().get_generate_registration_options_kwargs(user=user)
        options["authenticator_selection"].user_verification = UserVerificationRequirement.REQUIRED
        return options

    def get_generate_authentication_options_kwargs(self, *, user=None, **kwargs) -> dict:
        return super().get_generate_authentication_options_kwargs(
            user=user, require_user_verification=True
        )


class _AuditFailures:
    """Refused ceremonies are audit events (a failed verification may be an attack)."""

    def handle_exception(self, exc):
        if isinstance(exc, OTPWebAuthnApiError) and self.request.user.is_authenticated:
            mfa_policy.record_failure(self.request, mfa_policy.PASSKEY, getattr(exc, "code", ""))
        return super().handle_exception(exc)


class CompleteRegistration(_AuditFailures, webauthn_views.CompleteCredentialRegistrationView):
    """The library refuses a new passkey to a session that has a factor and has not
    used it; the middleware lets only enrolment through before the factor."""

    def post(self, *args, **kwargs):
        response = super().post(*args, **kwargs)
        if response.status_code == 200:
            device = mfa_policy.passkeys(self.request.user).get(
                pk=json.loads(response.content)["id"]
            )
            mfa_changes.enrolled(self.request, device)
            mfa_policy.mark_verified(self.request, device, enrolled=True)
            if not mfa_recovery.has_codes(self.request.user):
                mfa_recovery.issue(self.request, reason="first enrolment")
        return response


class CompleteAuthentication(_AuditFailures, webauthn_views.CompleteCredentialAuthenticationView):
    def complete_auth(self, device):
        mfa_policy.mark_verified(self.request, device)

    def get_success_url(self):
        return self.get_redirect_url() or reverse("home")


class BeginRegistration(webauthn_views.BeginCredentialRegistrationView):
    pass


class BeginAuthentication(webauthn_views.BeginCredentialAuthenticationView):
    def post(self, *args, **kwargs):
        if not self.request.user.is_authenticated:
            return JsonResponse({"detail": "Sign in with your password first."}, status=403)
        return super().post(*args, **kwargs)


app_name = "otp_webauthn"

urlpatterns = [
    path("registration/begin/", BeginRegistration.as_view(), name="credential-registration-begin"),
    path(
        "registration/complete/",
        CompleteRegistration.as_view(),
        name="credential-registration-complete",
    ),
    path(
        "authentication/begin/",
        BeginAuthentication.as_view(),
        name="credential-authentication-begin",
    ),
    path(
        "authentication/complete/",
        CompleteAuthentication.as_view(),
        name="credential-authentication-complete",
    ),
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="js-i18n-catalog",
    ),
]
