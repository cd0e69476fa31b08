"""Indirect costs (category J) against the recipient's rate: the MTDC base, the cap on
what may be charged, and the rows of SF-425 line 11 (docs/rules/indirect-costs.md).

For each rate period (grants.indirect_rates.RatePeriod) of an award's recipient, the
award's category J expenditures, both shares, may not exceed the rate × the award's MTDC
base spent in that period so far. Both sums are over expenditures dated in the period
(accrual basis), reversals counting against the day they are dated.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from budgets.book import DatabaseBook, spent_between
from budgets.kinds import Share
from budgets.models import Category, LedgerEntry
from grants.indirect_rates import RatePeriod, rate_periods
from grants.models import Award
from grants.money import ZERO, format_money, round_money

# The budget categories in the MTDC base (2 CFR 200.1): salaries and wages, fringe
# benefits, travel, supplies, services (procurement contracts) and other direct costs,
# plus the first part of each subaward (SUBAWARD_PORTION_KEY). Equipment (D),
# construction (F, a capital expenditure) and indirect costs themselves (J) are not.
MTDC_CATEGORIES = (
    Category.PERSONNEL,
    Category.FRINGE,
    Category.TRAVEL,
    Category.SUPPLIES,
    Category.PROCUREMENT,
    Category.OTHER,
)
SUBAWARD_PORTION_KEY = "mtdc_subaward_portion"


def _spent(award: Award, categories, start: date, end: date, share: str = "") -> Decimal:
    """Expenditures of the award in `categories` dated start..end (both shares, or one)."""
    return spent_between(award, categories, start, end, share)


def _subaward_in_base(award: Award, start: date, end: date, change: Decimal, book) -> Decimal:
    """The part of the award's subaward spending dated start..end that is in the base:
    the award's category G spending counts up to the subaward portion in force on `end`
    ($25,000, $50,000 from 2024-10-01), from the first dollar spent on. Subawards are not
    yet recorded one by one, so all of it is treated as one subaward: the base is never
    overstated, and understated when there are several subawards."""
    try:
        portion = book.rule(SUBAWARD_PORTION_KEY, on=end)
    except LookupError:  # before 2 CFR 200: no portion recorded, none counted
        portion = ZERO
    before = book.spent([Category.SUBAWARDS], date.min, start - timedelta(days=1))
    through = book.spent([Category.SUBAWARDS], date.min, end) + change
    return max(min(through, portion) - min(before, portion), ZERO)


def mtdc_base(award: Award, start: date, end: date, *, change=("", ZERO), book=None) -> Decimal:
    """The award's MTDC base spent start..end. `change` = (category, signed amount) adds
    an entry not yet posted (a reversal being checked). `book` (budgets.book) says what
    the award holds; by default the database is read."""
    book = book or DatabaseBook(award)
    category, amount = change
    base = book.spent(MTDC_CATEGORIES, start, end)
    if category in MTDC_CATEGORIES:
        base += amount
    subaward_change = amount if category == Category.SUBAWARDS else ZERO
    return base + _subaward_in_base(award, start, end, subaward_change, book)


def allowed(period: RatePeriod, base: Decimal) -> Decimal:
    """Rate × base, rounded to the cent (half up): the most that may be charged."""
    return round_money(period.rate * base / 100)


def _last_day(period: RatePeriod, award: Award) -> date:
    return min(period.end, award.period_end)


@dataclass(frozen=True)
class Room:
    """What is left to charge in one rate period of an award."""

    period: RatePeriod
    base: Decimal
    allowed: Decimal  # rate × base
    charged: Decimal  # category J spending, both shares

    @property
    def left(self) -> Decimal:
        return self.allowed - self.charged


def indirect_room(award: Award, day: date, *, book=None) -> Room | None:
    """The room for indirect costs in the award's rate period covering `day`, or None
    when no rate is in force on it."""
    book = book or DatabaseBook(award)
    period = book.rate_period_on(day)
    if period is None:
        return None
    end = _last_day(period, award)
    base = mtdc_base(award, period.start, end, book=book)
    charged = book.spent([Category.INDIRECT], period.start, end)
    return Room(period, base, allowed(period, base), charged)


def check_indirect_cap(
    award: Award, *, kind: str, category: str, amount: Decimal, day: date, book=None
) -> None:
    """Refuse an expenditure (`amount` > 0) or a reversal (`amount` < 0) dated `day` that
    would leave the award's category J spending in the rate period above rate × MTDC
    base. Called by the posting services under the award's row lock."""
    if kind != LedgerEntry.Kind.EXPENDITURE or not amount:
        return
    adds_indirect = category == Category.INDIRECT and amount > 0
    lowers_base = amount < 0 and category in (*MTDC_CATEGORIES, Category.SUBAWARDS)
    if not (adds_indirect or lowers_base):
        return
    book = book or DatabaseBook(award)
    if adds_indirect:
        room = indirect_room(award, day, book=book)
        if room is None:
            raise ValidationError(
                {
                    "category": f"No indirect cost rate of {award.recipient} is in force on "
                    f"{day:%m/%d/%Y}; indirect costs are charged only under a rate agreement."
                }
            )
        if amount > room.left:
            raise ValidationError(
                {
                    "amount": f"{format_money(amount)} is {format_money(amount - room.left)} more "
                    f"than the {format_money(max(room.left, ZERO))} of indirect costs left under "
                    f"{room.period.describe()}: {room.period.rate.normalize():f}% of the "
                    f"{format_money(room.base)} MTDC base is {format_money(room.allowed)}, "
                    f"and {format_money(room.charged)} is already charged."
                }
            )
        return
    period = book.rate_period_on(day)
    if period is None:
        return  # no rate on that day, so no indirect costs charged under one to protect
    end = _last_day(period, award)
    charged = book.spent([Category.INDIRECT], period.start, end)
    base = mtdc_base(award, period.start, end, change=(category, amount), book=book)
    cap = allowed(period, base)
    if charged > cap:
        raise ValidationError(
            f"Reversing {format_money(-amount)} would leave the {format_money(charged)} of "
            f"indirect costs charged under {period.describe()} "
            f"{format_money(charged - cap)} above the {format_money(cap)} the rate allows "
            f"on the {format_money(base)} MTDC base left; reverse indirect costs first."
        )


@dataclass(frozen=True)
class IndirectLine:
    """One row of SF-425 line 11: a rate in force during the award, with the base, the
    amount charged (rate × base) and the federal share, cumulative to the report's
    period end."""

    rate_type: str
    rate: Decimal
    period_from: date
    period_to: date
    base: Decimal
    amount_charged: Decimal
    federal_share: Decimal

    def as_json(self) -> dict[str, str]:
        return {
            "type": self.rate_type,
            "rate": str(self.rate),
            "from": str(self.period_from),
            "to": str(self.period_to),
            "base": str(self.base),
            "charged": str(self.amount_charged),
            "federal": str(self.federal_share),
        }


def indirect_lines(award: Award, *, as_of: date) -> list[IndirectLine]:
    """SF-425 line 11a–f for the award as of `as_of`: each rate period that starts by
    then, within the period of performance."""
    last = min(award.period_end, as_of)
    book = DatabaseBook(award)
    rows = []
    for period in rate_periods(award.recipient, award.period_start, last):
        start, end = max(period.start, award.period_start), min(period.end, award.period_end)
        base = mtdc_base(award, start, min(end, as_of), book=book)
        rows.append(
            IndirectLine(
                rate_type=period.rate_type,
                rate=period.rate,
                period_from=start,
                period_to=end,
                base=base,
                amount_charged=allowed(period, base),
                federal_share=_spent(
                    award, [Category.INDIRECT], start, min(end, as_of), share=Share.FEDERAL
                ),
            )
        )
    return rows
