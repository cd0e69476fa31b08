"""Interest earned on federal advances, and what of it must be remitted, year by year
(docs/rules/cash-and-ledger.md#interest-on-advances).

Interest earned and remitted are ledger totals of each award (budgets.kinds). The
allowance a recipient may keep (`interest_retained_per_year`) is per non-Federal entity
and per year of its own: so a year here is the recipient's fiscal year, and its interest
is summed over all of the recipient's awards.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Min, Q

from budgets.models import LedgerDay
from grants.models import Award
from grants.money import CENT, ZERO, MoneySum
from grants.selectors import rule_value


@dataclass(frozen=True)
class InterestYear:
    """One fiscal year of a recipient: interest earned on all its awards, the part it
    may keep, what was remitted against the year, and what is still to remit."""

    start: date
    end: date
    earned: Decimal
    allowance: Decimal  # the rule's amount for the year
    remitted: Decimal

    @property
    def may_retain(self) -> Decimal:
        return min(self.earned, self.allowance)

    @property
    def still_to_remit(self) -> Decimal:
        return max(self.earned - self.allowance - self.remitted, ZERO)


def _allowance(year_end: date) -> Decimal:
    """The rule in force on the year's last day. Before the Uniform Guidance (2014-12-26)
    other amounts applied that the product does not hold: none is allowed then."""
    try:
        return rule_value("interest_retained_per_year", on=year_end).quantize(CENT)
    except LookupError:
        return ZERO


def interest_by_year(award: Award, *, as_of: date) -> list[InterestYear]:
    """Per fiscal year of the award's recipient, oldest first, over the entries of every
    award of that recipient dated on or before `as_of`. Remittances count against the
    oldest year still owing first (interest is remitted after the year it was earned in);
    anything remitted beyond what is owed counts against the oldest years' allowance."""
    recipient = award.recipient
    days = LedgerDay.objects.filter(award__recipient=recipient, day__lte=as_of).filter(
        ~Q(interest_earned=0) | ~Q(interest_remitted=0)
    )
    span = days.aggregate(first=Min("day"), last=Max("day"))
    if span["first"] is None:
        return []
    years = []
    start, end = recipient.fiscal_year_of(span["first"])
    while start <= span["last"]:
        years.append((start, end))
        start, end = recipient.fiscal_year_of(end + timedelta(days=1))
    sums = days.aggregate(
        remitted=MoneySum("interest_remitted", default=ZERO),
        **{
            f"earned_{i}": MoneySum(
                "interest_earned", filter=Q(day__range=(first, last)), default=ZERO
            )
            for i, (first, last) in enumerate(years)
        },
    )
    earned = [sums[f"earned_{i}"].quantize(CENT) for i in range(len(years))]
    allowances = [_allowance(last) for _, last in years]
    left = sums["remitted"].quantize(CENT)
    remitted = [ZERO] * len(years)
    # First what each year owes, oldest first; then whatever was remitted beyond that.
    for owed in (
        lambda i: max(earned[i] - allowances[i], ZERO) - remitted[i],
        lambda i: earned[i] - remitted[i],
    ):
        for i in range(len(years)):
            take = min(left, max(owed(i), ZERO))
            remitted[i] += take
            left -= take
    return [
        InterestYear(start, end, earned[i], allowances[i], remitted[i])
        for i, (start, end) in enumerate(years)
    ]
