"""Indirect cost rates for the demo recipients, and the indirect costs the demo ledgers
charge under them (docs/rules/indirect-costs.md).

Most lead agencies charge the de minimis rate; the Los Angeles task force's lead agency
has negotiated rates (a predetermined rate for one fiscal year, then a provisional one).
The rates and dates are invented for the demonstration.
"""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from budgets.indirect import indirect_room
from grants.indirect_rates import rate_agreement_record
from grants.models import Award, IndirectRateAgreement, TaskForce
from grants.money import ZERO

NEGOTIATED = "ca-los-angeles"
COGNIZANT_AGENCY = "U.S. Department of Justice (demonstration)"


def record_rates(pm: User, task_forces: dict[str, TaskForce], *, current: int) -> int:
    """Rate agreements from the start of the oldest awards with spending (fiscal year
    `current` − 2) on, for each lead agency that has none yet; returns how many."""
    start = date(current - 3, 10, 1)
    recorded = 0
    for code, task_force in sorted(task_forces.items()):
        recipient = task_force.lead_organization
        if IndirectRateAgreement.objects.filter(recipient=recipient).exists():
            continue
        if code == NEGOTIATED:
            rate_agreement_record(
                actor=pm,
                recipient=recipient,
                rate_type=IndirectRateAgreement.RateType.PREDETERMINED,
                rate=Decimal("18.5"),
                effective_from=start,
                effective_to=date(current - 2, 9, 30),
                cognizant_agency=COGNIZANT_AGENCY,
                signed_on=date(current - 3, 9, 12),
            )
            rate_agreement_record(
                actor=pm,
                recipient=recipient,
                rate_type=IndirectRateAgreement.RateType.PROVISIONAL,
                rate=Decimal("19.25"),
                effective_from=date(current - 2, 10, 1),
                cognizant_agency=COGNIZANT_AGENCY,
                signed_on=date(current - 2, 9, 3),
            )
            recorded += 2
            continue
        rate_agreement_record(
            actor=pm,
            recipient=recipient,
            rate_type=IndirectRateAgreement.RateType.DE_MINIMIS,
            effective_from=start,
        )
        recorded += 1
    return recorded


def indirect_to_charge(award: Award, day: date, budget_left: Decimal) -> Decimal:
    """What a demo ledger charges as indirect costs on `day`: all the room the rate
    leaves in its period, within what is left of the category J budget."""
    room = indirect_room(award, day)
    if room is None:
        return ZERO
    return max(min(room.left, budget_left), ZERO)
