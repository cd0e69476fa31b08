"""Lockout after repeated failed sign-ins (django-axes; NIST SP 800-53 AC-7).

The lockout page is the sign-in page with one message, the same whether or not the
username exists: django-axes counts attempts on any username, so an unknown one locks
just like a real one and the page tells an attacker nothing about which accounts exist.
"""

from axes.helpers import get_cool_off, get_failure_limit
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth.forms import AuthenticationForm
from django.db.models import Sum
from django.shortcuts import render
from django.utils import timezone

from grants.request_context import source_address

LOCKED_MESSAGE = (
    "Sign-in is locked after too many failed attempts for this username or from this "
    "address. Try again in {minutes} minutes, or ask your system administrator to unlock it."
)


def locked_message() -> str:
    minutes = int(settings.AXES_COOLOFF_TIME.total_seconds() // 60)
    return LOCKED_MESSAGE.format(minutes=minutes)


def client_address(request) -> str | None:
    """The address failures are counted against: the same source address the audit trail
    records (grants.request_context.source_address, DJANGO_TRUSTED_PROXY_COUNT)."""
    return source_address(request.META, settings.TRUSTED_PROXY_COUNT)


def lockout_response(request, original_response=None, credentials=None):
    """The sign-in page again, with the lockout message, as 429 Too Many Requests."""
    return render(
        request,
        "registration/login.html",
        {
            "form": AuthenticationForm(request),
            "locked_out": locked_message(),
            "next": request.POST.get("next", ""),
        },
        status=429,
    )


def locked_usernames() -> set[str]:
    """Usernames locked now by their own failures (the access review's "Locked" column)."""
    since = timezone.now() - get_cool_off() if get_cool_off() else None
    attempts = AccessAttempt.objects.exclude(username=None)
    if since is not None:
        attempts = attempts.filter(attempt_time__gte=since)
    limit = get_failure_limit(None, None)
    rows = attempts.values("username").annotate(failures=Sum("failures_since_start"))
    return {row["username"] for row in rows if row["failures"] >= limit}
