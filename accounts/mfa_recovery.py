"""Recovery codes: ten single-use codes, shown once, for when the usual factor is lost.

Stored by django-otp's static-token plugin. Issuing a new set replaces the old one
entirely, so a printed sheet that went missing stops working.
"""

import secrets

from django.db import transaction
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken

from grants.audit import audit_record

CODE_COUNT = 10
ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i to misread
NEW_CODES_SESSION_KEY = "mfa_new_recovery_codes"


def normalise(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


def shown(code: str) -> str:
    return f"{code[:5]}-{code[5:]}"


def issue(request, *, reason: str) -> list[str]:
    """A fresh set for request.user, replacing any earlier one; the codes wait in the
    session to be shown once (accounts.mfa_views.recovery_codes)."""
    user = request.user
    codes = ["".join(secrets.choice(ALPHABET) for _ in range(10)) for _ in range(CODE_COUNT)]
    with transaction.atomic():
        StaticDevice.objects.filter(user=user).delete()
        device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
        StaticToken.objects.bulk_create(StaticToken(device=device, token=c) for c in codes)
        audit_record(
            actor=user,
            action="mfa.recovery_codes_issued",
            obj=device,
            data={"count": CODE_COUNT, "reason": reason},
        )
    request.session[NEW_CODES_SESSION_KEY] = [shown(c) for c in codes]
    return codes


def has_codes(user) -> bool:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).exists()
