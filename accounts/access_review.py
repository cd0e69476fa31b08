"""The access review (NIST SP 800-53 AC-2(j)): every account, what it may do, how it
proves who it is, when it last signed in, whether it is locked out. For the quarterly
recertification by the program office; the same rows on the page and in its XLSX
(the "access_review" table download, reports.table_exports)."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Prefetch

from accounts.lockout import locked_usernames
from grants.access import SYSTEM_ADMINISTRATOR
from grants.models import Membership

NONE = "—"


def second_factors(user) -> str:
    """The person's second factors, named; "—" while sign-in has none."""
    from accounts import mfa_policy

    named = []
    passkeys = mfa_policy.passkeys(user).count()
    if passkeys:
        named.append(f"{passkeys} passkey{'s' if passkeys > 1 else ''}")
    apps = mfa_policy.authenticator_apps(user).count()
    if apps:
        named.append(f"{apps} authenticator app{'s' if apps > 1 else ''}")
    codes = mfa_policy.recovery_codes_left(user)
    if codes:
        named.append(f"{codes} recovery code{'s' if codes > 1 else ''}")
    return ", ".join(named) or NONE


@dataclass(frozen=True)
class AccessRow:
    username: str
    name: str
    email: str
    active: bool
    roles: list[str]
    task_forces: list[str]
    second_factors: str
    last_sign_in: datetime | None
    locked: bool

    @property
    def status(self) -> str:
        return "Active" if self.active else "Disabled"


def access_rows() -> list[AccessRow]:
    locked = locked_usernames()
    users = (
        get_user_model()
        .objects.order_by("username")
        .prefetch_related(
            "groups",
            Prefetch(
                "memberships",
                queryset=Membership.objects.select_related("task_force").order_by(
                    "task_force__name", "role"
                ),
            ),
        )
    )
    rows = []
    for user in users:
        roles = sorted(group.name for group in user.groups.all())
        if user.is_superuser and SYSTEM_ADMINISTRATOR not in roles:
            roles.append(SYSTEM_ADMINISTRATOR)
        if user.is_staff:
            roles.append("Django admin access")
        rows.append(
            AccessRow(
                username=user.username,
                name=user.get_full_name(),
                email=user.email,
                active=user.is_active,
                roles=roles,
                task_forces=[
                    f"{m.task_force.name}: {m.get_role_display()}" for m in user.memberships.all()
                ],
                second_factors=second_factors(user),
                last_sign_in=user.last_login,
                locked=user.username in locked,
            )
        )
    return rows
