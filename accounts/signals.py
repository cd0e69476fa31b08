"""Audit events for sign-in and for every change of who may do what (NIST SP 800-53
AU-2, AU-12, AC-2).

Signals rather than views, so that every path is covered: the sign-in page and whatever
later wraps it, the Django admin's user and membership screens, the shell, the demo
loader. The person acting is the signed-in user of the request being served
(accounts/actor.py); None for commands.
"""

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.auth import get_user_model, user_logged_in, user_logged_out, user_login_failed
from django.contrib.auth.models import Group
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_save
from django.dispatch import receiver
from django.utils import timezone

from accounts.actor import current_actor
from accounts.services import session_epoch
from grants.audit import audit_record, snapshot
from grants.models import Membership

User = get_user_model()

# The account flags that grant power: a change to any of them is an event.
ACCOUNT_FLAGS = ["is_active", "is_staff", "is_superuser"]

# --- Signing in and out ----------------------------------------------------------


@receiver(user_logged_in, dispatch_uid="accounts_logged_in")
def signed_in(sender, request, user, **kwargs):
    if request is not None and hasattr(request, "session"):
        # The session's start, for the absolute limit; its epoch, for "sign out everywhere".
        request.session["signed_in_at"] = timezone.now().timestamp()
        request.session["session_epoch"] = session_epoch(user.pk)
    audit_record(actor=user, action="accounts.login", obj=user, data={"username": user.username})


@receiver(user_login_failed, dispatch_uid="accounts_login_failed")
def sign_in_failed(sender, credentials, request=None, **kwargs):
    # Django masks the password in `credentials`; only the username tried is kept.
    audit_record(
        actor=None,
        action="accounts.login_failed",
        data={
            "username": str(credentials.get("username", ""))[:150],
            "locked_out": bool(getattr(request, "axes_locked_out", False)),
        },
    )


@receiver(user_locked_out, dispatch_uid="accounts_locked_out")
def locked_out(sender, request, username, ip_address, **kwargs):
    """Once per lockout: at the failure that reaches the limit, not at each one after."""
    failures = getattr(request, "axes_failures_since_start", None)
    if failures != settings.AXES_FAILURE_LIMIT:
        return
    audit_record(
        actor=None,
        action="accounts.locked_out",
        data={"username": str(username or "")[:150], "address": ip_address, "failures": failures},
    )


@receiver(user_logged_out, dispatch_uid="accounts_logged_out")
def signed_out(sender, request, user, **kwargs):
    if user is None:
        return
    reason = getattr(request, "session_end_reason", "signed out")
    audit_record(actor=user, action="accounts.logout", obj=user, data={"reason": reason})


# --- Accounts and their flags -----------------------------------------------------


@receiver(pre_save, sender=User, dispatch_uid="accounts_user_before")
def account_before(sender, instance, update_fields=None, **kwargs):
    if instance.pk is None or getattr(instance, "_change_audited", False):
        return
    if update_fields is not None and not set(update_fields) & set(ACCOUNT_FLAGS):
        return  # the last sign-in time, a hash upgraded at sign-in
    instance._flags_before = (
        User.objects.filter(pk=instance.pk).values(*ACCOUNT_FLAGS, "password").first() or None
    )


@receiver(post_save, sender=User, dispatch_uid="accounts_user_after")
def account_after(sender, instance, created, **kwargs):
    if created:
        audit_record(
            actor=current_actor(),
            action="accounts.account_created",
            obj=instance,
            after={"username": instance.username, **snapshot(instance, ACCOUNT_FLAGS)},
        )
        return
    before = getattr(instance, "_flags_before", None)
    instance._flags_before = None
    if before is None:
        return
    actor = current_actor()
    if before.pop("password") != instance.password and actor is not None and actor != instance:
        # Someone else set this person's password (the admin's password form). The
        # person's own change and the emailed reset are recorded by their views.
        audit_record(actor=actor, action="accounts.password_set", obj=instance)
    after = snapshot(instance, ACCOUNT_FLAGS)
    if before != after:
        audit_record(
            actor=actor,
            action="accounts.account_changed",
            obj=instance,
            before=before,
            after=after,
        )


# --- Program-office roles (groups) -------------------------------------------------


def _group_names(user_pk) -> list[str]:
    return sorted(Group.objects.filter(user__pk=user_pk).values_list("name", flat=True))


def _record_roles(user_pk, before: list[str]) -> None:
    after = _group_names(user_pk)
    if after == before:
        return
    user = User.objects.get(pk=user_pk)
    audit_record(
        actor=current_actor(),
        action="accounts.roles_changed",
        obj=user,
        data={"before": {"roles": before}, "after": {"roles": after}},
    )


@receiver(m2m_changed, sender=User.groups.through, dispatch_uid="accounts_roles")
def roles_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """user.groups.add/remove/set/clear and group.user_set.add/... alike."""
    if action.startswith("pre_"):
        if reverse:  # instance is a group: the users concerned
            users = pk_set if pk_set is not None else instance.user_set.values_list("pk", flat=True)
            instance._roles_before = {pk: _group_names(pk) for pk in users}
        else:
            instance._roles_before = {instance.pk: _group_names(instance.pk)}
        return
    for user_pk, before in getattr(instance, "_roles_before", {}).items():
        _record_roles(user_pk, before)
    instance._roles_before = {}


# --- Task-force roles (memberships) ----------------------------------------------

MEMBERSHIP_FIELDS = ["user", "task_force", "role"]


@receiver(pre_save, sender=Membership, dispatch_uid="accounts_membership_before")
def membership_before(sender, instance, **kwargs):
    old = Membership.objects.filter(pk=instance.pk).first() if instance.pk else None
    instance._before = snapshot(old, MEMBERSHIP_FIELDS) if old else None


@receiver(post_save, sender=Membership, dispatch_uid="accounts_membership_after")
def membership_saved(sender, instance, created, **kwargs):
    after = snapshot(instance, MEMBERSHIP_FIELDS)
    before = getattr(instance, "_before", None)
    if not created and before == after:
        return
    audit_record(
        actor=current_actor(),
        action="accounts.membership_added" if created else "accounts.membership_changed",
        obj=instance,
        task_force=instance.task_force,
        before=None if created else before,
        after=after,
        data={"user": instance.user.username, "role": instance.get_role_display()},
    )


@receiver(post_delete, sender=Membership, dispatch_uid="accounts_membership_removed")
def membership_removed(sender, instance, **kwargs):
    audit_record(
        actor=current_actor(),
        action="accounts.membership_removed",
        obj=instance,
        task_force=instance.task_force,
        before=snapshot(instance, MEMBERSHIP_FIELDS),
        data={"user": instance.user.username, "role": instance.get_role_display()},
    )
