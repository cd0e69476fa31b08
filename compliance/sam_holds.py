"""The hold on drawdowns while a recipient's SAM.gov registration has lapsed
(docs/rules/compliance.md#samgov-registrations).

A recipient must keep an active SAM.gov registration while it holds an award (2 CFR
25.200); a drawdown is a payment of the award. The hold goes on each of the recipient's
awards that can still draw cash the day after the registration expires (the daily
run), or at once when an expiry date already past is recorded; recording a renewal lifts
it. The ledger refuses a drawdown while any hold is active and gives its reason, so the
ledger needs to know nothing of SAM.gov.
"""

from datetime import date

from django.db import transaction
from django.db.models import Exists, OuterRef, Q

from compliance.models import SamRegistration
from grants.duties import lock_award
from grants.models import Award, Hold, Recipient
from grants.services import hold_place_by_system, holds_lift_by_system

HELD_STATUSES = (Award.Status.ACCEPTED, Award.Status.ACTIVE, Award.Status.IN_CLOSEOUT)
PLACED_BY = "compliance.sam_holds"


def lapsed(registration: SamRegistration, today: date) -> bool:
    return registration.expires_on < today


def reason(recipient: Recipient, registration: SamRegistration) -> str:
    return (
        f"The SAM.gov registration of {recipient.legal_name} lapsed on "
        f"{registration.expires_on:%m/%d/%Y}; drawdowns resume when its renewal is recorded"
    )


def sync_recipient(
    recipient: Recipient, registration: SamRegistration, *, actor, today: date
) -> tuple[int, int]:
    """Hold the recipient's awards if its registration has lapsed, else lift the holds.
    Returns (placed, lifted). Each award is locked before its holds change."""
    placed = lifted = 0
    for award_id in Award.objects.filter(recipient=recipient, status__in=HELD_STATUSES).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            award = lock_award(award_id)
            if lapsed(registration, today):
                placed += bool(
                    hold_place_by_system(
                        award=award,
                        cause=Hold.Cause.SAM_LAPSED,
                        reason=reason(recipient, registration),
                        placed_by=PLACED_BY,
                    )
                )
            else:
                lifted += holds_lift_by_system(
                    actor=actor,
                    award=award,
                    cause=Hold.Cause.SAM_LAPSED,
                    lift_reason=f"SAM.gov registration renewed until {registration.expires_on:%m/%d/%Y}",
                )
    return placed, lifted


def sync_all(today: date) -> tuple[int, int]:
    """The daily run: every recipient's registration against `today`. One query finds
    the registrations with an award whose hold is out of step (lapsed and not held, or
    renewed and still held); only those are synced, each award under its lock."""
    held = Hold.objects.filter(
        award=OuterRef("pk"), cause=Hold.Cause.SAM_LAPSED, report_key="", lifted_at__isnull=True
    )
    awards = Award.objects.filter(recipient=OuterRef("recipient"), status__in=HELD_STATUSES)
    out_of_step = (
        SamRegistration.objects.filter(recipient__isnull=False)
        .alias(
            has_unheld=Exists(awards.filter(~Exists(held))),
            has_held=Exists(awards.filter(Exists(held))),
        )
        .filter(Q(expires_on__lt=today, has_unheld=True) | Q(expires_on__gte=today, has_held=True))
    )
    placed = lifted = 0
    for registration in out_of_step.select_related("recipient"):
        p, lf = sync_recipient(registration.recipient, registration, actor=None, today=today)
        placed, lifted = placed + p, lifted + lf
    return placed, lifted


def drawdown_stop(award: Award, today: date) -> list[str]:
    """Why `award` may not draw cash today for SAM.gov: its recipient's registration has
    lapsed, whether or not the daily run has placed its hold yet."""
    registration = SamRegistration.objects.filter(recipient_id=award.recipient_id).first()
    if registration is None or not lapsed(registration, today):
        return []
    return [reason(award.recipient, registration)]
