"""Which second factor satisfies whom, and where a signed-in session stands.

Everyone signs in with a password and then a second factor. Program-office staff and
administrators hold the whole program's money and data, so only a phishing-resistant
factor satisfies them (a passkey: NIST SP 800-63B AAL3-style verifier-impersonation
resistance, OMB M-22-09). A one-time code (authenticator app or recovery code) gets
them only as far as enrolling a passkey. Task-force users may use either.

django-otp keeps the device that verified the session (`request.user.otp_device`);
this module adds when it happened, for the step-up on money decisions.
"""

import time
from enum import Enum

from django.conf import settings
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp import login as otp_login
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from grants import access
from grants.audit import audit_record

VERIFIED_AT_SESSION_KEY = "mfa_verified_at"

PASSKEY, AUTHENTICATOR_APP, RECOVERY_CODE = "passkey", "authenticator app", "recovery code"


class Standing(Enum):
    SATISFIED = "satisfied"  # verified with a factor the user's role accepts
    VERIFY = "verify"  # has a factor, has not used it in this session
    ENROL = "enrol"  # has no factor yet: first sign-in
    ENROL_PASSKEY = "enrol passkey"  # staff verified by a one-time code: a passkey is next


STAFF_GROUPS = (
    access.PROGRAM_MANAGER,
    access.FINANCIAL_APPROVER,
    access.AUDITOR,
    access.SYSTEM_ADMINISTRATOR,
)


def requires_passkey(user) -> bool:
    """OJJDP program-office roles, auditors and administrators: a passkey only."""
    if getattr(settings, "MFA_DEMO_TOTP_FOR_STAFF", False) and settings.DEBUG:
        return False
    if user.is_superuser or user.is_staff:
        return True
    return access.in_any_group(user, STAFF_GROUPS)


def kind_of(device) -> str:
    if isinstance(device, WebAuthnCredential):
        return PASSKEY
    if isinstance(device, TOTPDevice):
        return AUTHENTICATOR_APP
    if isinstance(device, StaticDevice):
        return RECOVERY_CODE
    return type(device).__name__


def satisfies(user, device) -> bool:
    if device is None:
        return False
    if isinstance(device, WebAuthnCredential):
        return True
    return not requires_passkey(user) and isinstance(device, (TOTPDevice, StaticDevice))


def passkeys(user):
    return WebAuthnCredential.objects.filter(user=user, confirmed=True)


def authenticator_apps(user):
    return TOTPDevice.objects.filter(user=user, confirmed=True)


def recovery_devices(user):
    return StaticDevice.objects.filter(user=user, confirmed=True)


def recovery_codes_left(user) -> int:
    return sum(device.token_set.count() for device in recovery_devices(user))


def has_any_factor(user) -> bool:
    return (
        passkeys(user).exists()
        or authenticator_apps(user).exists()
        or recovery_codes_left(user) > 0
    )


def standing(request) -> Standing:
    user = request.user
    device = getattr(user, "otp_device", None)
    if device is not None:
        return Standing.SATISFIED if satisfies(user, device) else Standing.ENROL_PASSKEY
    return Standing.VERIFY if has_any_factor(user) else Standing.ENROL


def mark_verified(request, device, *, enrolled: bool = False) -> None:
    """The session is verified by `device`, now. Recorded unless it is an enrolment
    (the enrolment's own event says so)."""
    otp_login(request, device)
    request.session[VERIFIED_AT_SESSION_KEY] = time.time()
    if not enrolled:
        audit_record(actor=request.user, action="mfa.verified", data={"factor": kind_of(device)})


def verified_at(request) -> float | None:
    if request.session.get(DEVICE_ID_SESSION_KEY) is None:
        return None
    return request.session.get(VERIFIED_AT_SESSION_KEY)


def is_fresh(request) -> bool:
    """Verified with a satisfying factor within MFA_STEP_UP_MINUTES."""
    at = verified_at(request)
    if at is None or standing(request) is not Standing.SATISFIED:
        return False
    return time.time() - at <= settings.MFA_STEP_UP_MINUTES * 60


def record_failure(request, factor: str, reason: str = "") -> None:
    audit_record(
        actor=request.user,
        action="mfa.verification_failed",
        data={"factor": factor, **({"reason": reason} if reason else {})},
    )
