"""The hold on an award that keeps cash past the disbursement period
(docs/rules/cash-and-ledger.md#excess-cash-hold).

Cash drawn more than `cash_on_hand_days` ago and neither disbursed nor returned is a
ground to withhold funds [V R19]. The daily run (`sync_excess_cash_holds`, with the
late-report holds) places a hold naming the amount and lifts the holds whose cash is
gone; the ledger also lifts it right after the posting (a disbursement, a return of
cash, a reversal) that clears it (`lift_if_cleared`). Nobody places or lifts these by
hand, though program staff may lift any hold.
"""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from budgets.balances import CASH_STATUSES, awards_with_excess_cash, excess_cash
from grants.duties import lock_award
from grants.models import Award, Hold
from grants.money import format_money
from grants.selectors import rule_value
from grants.services import hold_place_by_system, holds_lift_by_system

# Awards that can still hold or move cash.
LIFT_REASON = "The cash drawn more than {days} days ago has been disbursed or returned"


def _lift(award: Award, *, actor, today: date, by: str) -> int:
    days = int(rule_value("cash_on_hand_days", on=today))
    return holds_lift_by_system(
        actor=actor,
        award=award,
        cause=Hold.Cause.EXCESS_CASH,
        lift_reason=LIFT_REASON.format(days=days),
        data={"by": by, "as_of": str(today)},
    )


def lift_if_cleared(award: Award, *, actor, today: date, by: str) -> int:
    """Lift the award's excess-cash hold if no cash past the period is left on `today`.
    Call inside the posting's transaction, after the entry is written, with the award
    locked. One query when the award has no such hold."""
    if not award.holds.filter(cause=Hold.Cause.EXCESS_CASH, lifted_at__isnull=True).exists():
        return 0
    if excess_cash(award, today=today):
        return 0
    return _lift(award, actor=actor, today=today, by=by)


@dataclass
class Synced:
    placed: list[Hold] = field(default_factory=list)
    lifted: int = 0


def sync_excess_cash_holds(*, today: date) -> Synced:
    """The daily run: hold every award with cash past the period, once, naming the
    amount; lift the holds of awards whose old cash is gone. Each award is checked
    again under its own lock, in its own transaction."""
    days = int(rule_value("cash_on_hand_days", on=today))
    result = Synced()
    awards = Award.objects.filter(status__in=CASH_STATUSES)
    for award, _ in awards_with_excess_cash(awards, today=today):
        with transaction.atomic():
            award = lock_award(award.pk)
            amount = excess_cash(award, today=today)
            if not amount:
                continue
            hold = hold_place_by_system(
                award=award,
                cause=Hold.Cause.EXCESS_CASH,
                placed_by="sync_excess_cash_holds",
                reason=f"{format_money(amount)} of cash drawn more than {days} days ago "
                "is not disbursed or returned",
            )
            if hold:
                result.placed.append(hold)
    held = Award.objects.filter(
        holds__cause=Hold.Cause.EXCESS_CASH, holds__lifted_at__isnull=True
    ).distinct()
    for award_id in held.values_list("pk", flat=True):
        with transaction.atomic():
            award = lock_award(award_id)
            result.lifted += lift_if_cleared(
                award, actor=None, today=today, by="sync_excess_cash_holds"
            )
    return result
