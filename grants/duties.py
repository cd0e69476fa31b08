"""Row locks and separation of duties, shared by every service that changes an award.

Money rules are checked under the award's row lock, so two people acting on one award
queue instead of both acting on a balance the other is changing. Whoever asks for
something (cash, a budget change, an amendment) never decides it, whatever roles they
hold.
"""

import functools

from django.core.exceptions import PermissionDenied

from grants.models import Award
from grants.refusals import record_refusal, refusals_kept


def lock_award(award_id: int) -> Award:
    """Take the award's row lock for the rest of the transaction, and read it afresh."""
    return Award.objects.select_for_update().get(pk=award_id)


def refuse_own_decision(actor, request, *, action: str, attempted: str, message: str) -> None:
    """Refuse, and audit as `action`, a decision on `request` (anything with a
    `requested_by_id` and an `award`) by the person who asked. The audit event is kept
    aside and written when the enclosing `refusals_kept()` block ends (grants.refusals),
    after any transaction it is in has rolled back, so the refusal stays on record
    although nothing else is written, inside an import's transaction too. (The requester
    of a request never changes, so this needs no lock; the services check again under
    theirs.)"""
    if request.requested_by_id == actor.pk:
        refusal = PermissionDenied(message)
        record_refusal(
            actor=actor, action=action, obj=request, attempted=attempted, reasons=refusal
        )
        refusal.refusal_recorded = True  # once, as the violation (grants.refusals)
        raise refusal


def decided_by_another(request_arg: str, *, action: str, message: str, attempted: str = ""):
    """Wrap a decision service so a decision by the requester is refused, and audited as
    `action`, before the service's own transaction begins (refuse_own_decision).
    `request_arg` names the keyword argument holding the request; what was attempted is
    `attempted`, or "approve"/"reject" from the service's `approve` argument."""

    def wrap(decide):
        @functools.wraps(decide)
        def checked(*, actor, **kwargs):
            tried = attempted or ("approve" if kwargs["approve"] else "reject")
            with refusals_kept():
                refuse_own_decision(
                    actor, kwargs[request_arg], action=action, attempted=tried, message=message
                )
                return decide(actor=actor, **kwargs)

        return checked

    return wrap
