"""Session limits and the audit of refusals."""

import json
import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from accounts import actor
from accounts.services import loaded_session_epoch
from grants import request_context
from grants.audit import audit_record
from grants.refusals import refusals_kept

# Refusals of requests nobody signed in made: the log, not the audit trail.
refusal_log = logging.getLogger("accounts.refusals")

ABSOLUTE_LIMIT_MESSAGE = (
    "You were signed out: a session lasts at most {hours} hours after signing in. "
    "Sign in again to continue."
)
SIGNED_OUT_EVERYWHERE_MESSAGE = "You were signed out everywhere. Sign in again to continue."


class SessionLimitsMiddleware:
    """Ends a session 12 hours after its sign-in however active it is (NIST SP 800-53
    AC-12), and every session of a person who chose "Sign out everywhere" since it
    signed in.

    The 15-minute idle limit is the session's age (SESSION_COOKIE_AGE), counted from
    when it was last saved. A signed-in person's request saves it again when the last
    save is a minute old or more (SESSION_RENEW_SECONDS): so a session ends 14 to 15
    minutes after its last request, never later, and a person reading pages costs one
    session write a minute, not one per page."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            reason = self._reason_to_end(request, user)
            if reason:
                request.session_end_reason = reason
                logout(request)  # request.user is now anonymous: the page asks to sign in
                message = (
                    ABSOLUTE_LIMIT_MESSAGE.format(hours=settings.SESSION_ABSOLUTE_SECONDS // 3600)
                    if reason == "session limit"
                    else SIGNED_OUT_EVERYWHERE_MESSAGE
                )
                messages.info(request, message)
            else:
                _renew(request.session)
        return self.get_response(request)

    @staticmethod
    def _reason_to_end(request, user) -> str:
        signed_in_at = request.session.get("signed_in_at")
        # A session without a start (made before this limit existed) is ended too.
        if (
            signed_in_at is None
            or timezone.now().timestamp() - signed_in_at > settings.SESSION_ABSOLUTE_SECONDS
        ):
            return "session limit"
        if request.session.get("session_epoch", 0) != loaded_session_epoch(user):
            return "signed out everywhere"
        return ""


def _renew(session) -> None:
    """Mark `session` changed, so it is saved with a new idle limit, when it was last
    renewed SESSION_RENEW_SECONDS ago or more."""
    now = timezone.now().timestamp()
    if now - session.get("renewed_at", 0) >= settings.SESSION_RENEW_SECONDS:
        session["renewed_at"] = now


class RefusalAuditMiddleware:
    """Records every 403 answered to a signed-in person, whoever raised it (a service's
    PermissionDenied, the API, the CSRF check), with the path and the person (AU-2). A 403
    to nobody signed in (a forged or stale form, a scan) goes to the log instead, as one
    structured line with the request id and source address: every audit event takes the
    audit chain's head lock, and a flood of anonymous requests must not slow the audited
    writes. 404s are not recorded: they are what a person gets for another task force's
    records and for typos alike.

    Refused money attempts found while the request runs are written as it ends, after
    any transaction they were found in has rolled back (grants.refusals).

    It also makes the request's signed-in person known to the signal handlers that
    audit role and membership changes (accounts/actor.py)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with refusals_kept(), actor.serving(request):
            response = self.get_response(request)
        if response.status_code == 403:
            user = getattr(request, "user", None)
            if user is not None and user.is_authenticated:
                audit_record(
                    actor=user,
                    action="accounts.refused",
                    data={
                        "path": request.path[:500],
                        "method": request.method,
                        "username": user.get_username(),
                    },
                )
            else:
                log_anonymous_refusal(request)
        return response


def log_anonymous_refusal(request: HttpRequest) -> None:
    context = request_context.current()
    fields = {
        "event": "refused",
        "path": request.path[:500],
        "method": request.method,
        "request_id": context.request_id,
        "source_address": context.source_address,
    }
    refusal_log.warning(json.dumps(fields, sort_keys=True), extra={"refusal": fields})
