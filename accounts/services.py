"""Account changes that must leave an audit event: signing out everywhere, unlocking a
locked-out sign-in, disabling accounts nobody uses."""

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from axes.utils import reset as axes_reset
from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.activity import active_since
from accounts.models import AccountSecurity
from grants import access
from grants.audit import audit_record
from grants.selectors import rule_value

INACTIVE_DAYS_KEY = "account_inactive_days"


def session_epoch(user_id: int) -> int:
    """The user's "sign out everywhere" epoch as stored now: 0 until they first use it."""
    epoch = (
        AccountSecurity.objects.filter(user_id=user_id)
        .values_list("session_epoch", flat=True)
        .first()
    )
    return epoch or 0


def loaded_session_epoch(user) -> int:
    """The epoch read with the signed-in person of this request: the sign-in backend
    (accounts.backends.AccountBackend) loads it in the same query as the person, so a
    request spends no query of its own on it."""
    try:
        return user.account_security.session_epoch
    except AccountSecurity.DoesNotExist:
        return 0


@transaction.atomic
def end_sessions(user) -> int:
    """Ends every session of the user, on every device, by moving their session epoch on:
    the sessions signed in under the old epoch are refused from their next request
    (accounts/middleware.py). Returns the new epoch; the caller audits why."""
    security, _ = AccountSecurity.objects.select_for_update().get_or_create(user=user)
    AccountSecurity.objects.filter(pk=security.pk).update(session_epoch=F("session_epoch") + 1)
    security.refresh_from_db()
    return security.session_epoch


@transaction.atomic
def sign_out_everywhere(*, user) -> int:
    """The user ends every session of theirs (end_sessions), audited."""
    epoch = end_sessions(user)
    audit_record(
        actor=user,
        action="accounts.signed_out_everywhere",
        obj=user,
        data={"session_epoch": epoch},
    )
    return epoch


@transaction.atomic
def unlock(*, actor, username: str = "", address: str = "", via: str = "") -> int:
    """Clears the failed sign-ins of a username or an address, ending its lockout.
    Returns how many attempt records were cleared. `actor` None: the unlock_account
    command, run by someone with shell access to the server."""
    if actor is not None:
        access.require(
            access.can_administer_accounts(actor), "Only a system administrator unlocks sign-in."
        )
    username, address = username.strip(), address.strip()
    if not username and not address:
        raise ValueError("Name the username or the address to unlock.")
    cleared = 0
    if username:
        cleared += axes_reset(username=username)
    if address:
        cleared += axes_reset(ip=address)
    data = {"username": username, "address": address, "attempts_cleared": cleared}
    if via:
        data["via"] = via
    audit_record(actor=actor, action="accounts.unlocked", data=data)
    return cleared


@dataclass
class DisableSummary:
    inactive_days: int
    disabled: list[str] = field(default_factory=list)


@transaction.atomic
def disable_unused_accounts(*, today: date | None = None) -> DisableSummary:
    """Disables active accounts with no sign-in and no other use (an API token's,
    accounts.activity) for the rule's number of days (NIST SP 800-53 AC-2(3)); an account
    never used counts from the day it was made. A disabled account keeps its history; an
    administrator re-enables it in the admin."""
    today = today or timezone.localdate()
    days = int(rule_value(INACTIVE_DAYS_KEY, on=today))
    cutoff = timezone.make_aware(datetime.combine(today - timedelta(days=days), time.min))
    unused = (
        get_user_model()
        .objects.select_for_update()
        .filter(is_active=True)
        .filter(Q(last_login__lt=cutoff) | Q(last_login__isnull=True, date_joined__lt=cutoff))
        .order_by("username")
    )
    # Used in other ways (an API token), registered by the apps that know them.
    for used in active_since(cutoff):
        unused = unused.exclude(pk__in=used)
    summary = DisableSummary(inactive_days=days)
    for user in unused:
        user.is_active = False
        user._change_audited = True  # this service's own event says why
        user.save(update_fields=["is_active"])
        audit_record(
            actor=None,
            action="accounts.disabled_unused",
            obj=user,
            data={
                "inactive_days": days,
                "last_sign_in": user.last_login.isoformat() if user.last_login else None,
            },
        )
        summary.disabled.append(user.username)
    return summary
