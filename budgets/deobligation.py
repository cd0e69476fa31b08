"""Federal money going back: the unspent balance deobligated when an award closes, and
decreases and terminations (docs/rules/deobligation.md).

Either way the award's amount falls by an amendment, the ledger records a deobligation
(SF-425 10d and 10h fall by it; no other line moves), and the money returns to the
appropriations that paid for it, newest funding line first, where it can be awarded again
only while the appropriation is in its period of availability.
"""

from datetime import date

from django.core.exceptions import ValidationError

from budgets.balances import award_balances
from budgets.ledger import deobligation_post
from grants.amendments import amendment_add
from grants.audit import audit_record
from grants.models import Amendment, Award
from grants.money import ZERO, format_money
from grants.refusals import refusal_audited


def unliquidated_refusal(award: Award, unliquidated, unobligated) -> str:
    return (
        f"Award {award} still has {format_money(unliquidated)} of unliquidated obligations: "
        f"pay them or reverse them before its unspent balance ({format_money(unobligated)}) "
        "is deobligated."
    )


@refusal_audited("budgets.deobligation.refused", on="award", attempted="deobligate at closeout")
def deobligate_at_closeout(*, actor, award: Award, today: date) -> Amendment | None:
    """Deobligate the award's unspent federal balance (10h: authorized less federal
    expenditures less unliquidated obligations) as it closes: an amendment recording it
    and a deobligation dated the end of the period of performance, so the final SF-425's
    10d is the award after deobligation and its 10h is zero. Refused while obligations are
    unliquidated (2 CFR 200.344: the final report has none). Runs in the caller's
    transaction, which holds the award lock; None when nothing is left to deobligate."""
    balances = award_balances(award, as_of=date.max)
    if balances.unliquidated > ZERO:
        raise ValidationError(
            unliquidated_refusal(award, balances.unliquidated, balances.unobligated)
        )
    amount = balances.unobligated
    if amount <= ZERO:
        return None
    amendment = amendment_add(
        award=award,
        kind=Amendment.Kind.DEOBLIGATION,
        status=Amendment.Status.APPROVED,
        description=f"Unspent balance of {format_money(amount)} deobligated at closeout.",
        requested_on=today,
        requested_by=actor,
        decided_on=today,
        effective_on=today,
        amount=amount,
    )
    deobligation_post(
        actor=actor, award=award, amendment=amendment, on=min(award.period_end, today)
    )
    audit_record(
        actor=actor,
        action="budgets.award.deobligated",
        obj=award,
        task_force=award.task_force,
        after={"deobligated": str(amount), "federal_amount": str(award.federal_amount)},
        data={"amendment": amendment.pk, "amendment_number": amendment.number},
    )
    return amendment
