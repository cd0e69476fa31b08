"""Changes to a person's second factors that the person must hear of.

A factor added to an account is how a stolen password and a stolen code would become
lasting access, so each one is an audit event and an email to the account's address
(the person learns of one they did not add). An administrator's reset of someone's
factors (a lost phone and lost recovery codes) is the same, and ends their sessions.
"""

import logging

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import mfa_policy
from accounts.services import end_sessions
from grants import access, request_context
from grants.audit import audit_record

logger = logging.getLogger(__name__)

NAME_LENGTH = 64  # as the enrolment form allows


def _tell(user, subject: str, lines: list[str]) -> None:
    """Email the account's owner. A mail server that is down does not undo the change
    (the audit event has it); it is logged."""
    if not user.email:
        return
    context = request_context.current()
    where = f" from the address {context.source_address}" if context.source_address else ""
    body = "\n\n".join(
        [
            f"Hello {user.get_full_name() or user.get_username()},",
            *lines,
            f"When: {timezone.localtime():%m/%d/%Y %H:%M %Z}{where}.",
            "If this was not you, tell your system administrator now: someone may know "
            "your password. They can reset your second factors and end every session.",
        ]
    )
    try:
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [user.email])
    except Exception:
        logger.exception("Second-factor notice to %s failed: %s", user.get_username(), subject)


def enrolled(request, device) -> None:
    """`device` was just added to the signed-in person's account: audited, and told."""
    factor = mfa_policy.kind_of(device)
    audit_record(
        actor=request.user,
        action="mfa.enrolled",
        obj=device,
        data={"factor": factor, "name": device.name},
    )
    _tell(
        request.user,
        f"{'An' if factor[0] in 'aeiou' else 'A'} {factor} was added to your ICAC Grants account",
        [f"The {factor} “{device.name}” was added to your account's second factors."],
    )


def rename(*, user, device, name: str) -> str:
    """Rename one of `user`'s factors (audited). Returns the old name; ValueError with a
    sentence for a name that cannot be used."""
    name = " ".join(name.split())
    if not name:
        raise ValueError("Give the factor a name, such as “Work laptop”.")
    if len(name) > NAME_LENGTH:
        raise ValueError(f"A name has at most {NAME_LENGTH} characters; this has {len(name)}.")
    if device.user_id != user.pk:
        raise ValueError("That factor is not yours.")
    before = device.name
    if name != before:
        device.name = name
        device.save(update_fields=["name"])
        audit_record(
            actor=user,
            action="mfa.renamed",
            obj=device,
            data={"factor": mfa_policy.kind_of(device), "before": before, "after": name},
        )
    return before


def reset(*, actor, user, via: str = "") -> dict[str, int]:
    """Remove every second factor of `user` (passkeys, authenticator apps, recovery
    codes) and end every session of theirs, so their next sign-in enrols anew. By a
    system administrator, or (`actor` None) the reset_second_factors command. Audited as
    `mfa.reset`, and the person is told. Returns how many of each were removed."""
    if actor is not None:
        access.require(
            access.can_administer_accounts(actor),
            "Only a system administrator resets someone's second factors.",
        )
    with transaction.atomic():
        removed = {
            "passkeys": WebAuthnCredential.objects.filter(user=user)
            .delete()[1]
            .get(WebAuthnCredential._meta.label, 0),
            "authenticator apps": TOTPDevice.objects.filter(user=user)
            .delete()[1]
            .get(TOTPDevice._meta.label, 0),
            "recovery code sets": StaticDevice.objects.filter(user=user)
            .delete()[1]
            .get(StaticDevice._meta.label, 0),
        }
        # A session verified by a removed factor would count as one with no factor yet,
        # free to enrol a new one: every session ends (as "sign out everywhere").
        end_sessions(user)
        data = {"username": user.get_username(), "removed": removed}
        if via:
            data["via"] = via
        audit_record(actor=actor, action="mfa.reset", obj=user, data=data)
    _tell(
        user,
        "Your ICAC Grants second factors were reset",
        [
            "A system administrator removed every passkey, authenticator app and recovery "
            "code of your account and ended your sessions. At your next sign-in you will "
            "set up a second factor again."
        ],
    )
    return removed
