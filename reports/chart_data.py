"""The numbers behind the charts, read through the scoped selectors and balances, summed
in the database. Each chart's table shows exactly these rows."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Max, Sum
from django.db.models.functions import TruncMonth

from budgets.balances import award_balances
from budgets.models import LedgerDay
from grants import selectors
from grants.models import Award
from grants.money import CENT, ZERO, MoneySum, round_money
from reports.models import FILED_IN, MEASURES
from reports.selectors import progress_reports_for_user


@dataclass(frozen=True)
class YearMoney:
    """A fiscal year's money: what its appropriations hold, awarded from them and given
    back (grants.selectors.money_chain_by_year), and the cash drawn on that year's awards."""

    fiscal_year: int
    appropriated: Decimal
    awarded: Decimal
    drawn: Decimal
    deobligated: Decimal


def program_by_year(*, user) -> list[YearMoney]:
    """Each fiscal year the person may see, oldest first. Program-level: the program
    office and auditors only (the money chain is empty for anyone else)."""
    years = sorted(selectors.fiscal_years_for_user(user=user))
    drawn = dict(
        LedgerDay.objects.filter(award__in=selectors.award_list_for_user(user=user))
        .values("award__fiscal_year")
        .annotate(t=MoneySum("drawn", default=ZERO))
        .order_by()
        .values_list("award__fiscal_year", "t")
    )
    chains = selectors.money_chain_by_year(user=user)
    rows = []
    for year in years:
        chain = chains.get(year) or selectors.MoneyChain.empty(year)
        rows.append(
            YearMoney(
                fiscal_year=year,
                appropriated=chain.appropriated.quantize(CENT),
                awarded=chain.awarded.quantize(CENT),
                drawn=drawn.get(year, ZERO).quantize(CENT),
                deobligated=chain.deobligated.quantize(CENT),
            )
        )
    return rows


@dataclass(frozen=True)
class MonthSpent:
    month_end: date  # the last day of the month, or the day the chart runs to
    cumulative: Decimal  # federal expenditures to month_end
    even_pace: Decimal  # the funds authorized times the share of the period passed


@dataclass(frozen=True)
class Spending:
    award: Award
    as_of: date
    authorized: Decimal  # SF-425 10d as of `as_of`
    spent: Decimal  # SF-425 10e as of `as_of`
    months: list[MonthSpent]


def _month_end(day: date) -> date:
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def even_pace(award: Award, authorized: Decimal, day: date) -> Decimal:
    """What spending at an even pace would have reached by the end of `day`: the funds
    authorized times the days passed over the days of the period, rounded to the cent."""
    total = (award.period_end - award.period_start).days + 1
    passed = min(max((day - award.period_start).days + 1, 0), total)
    return round_money(authorized * passed / total)


def award_spending(award: Award, *, as_of: date) -> Spending:
    """The award's federal expenditures month by month from the start of its period to
    `as_of` (or the last entry, if later: payments run into the liquidation period),
    summed per month in the database from the per-day totals."""
    balances = award_balances(award, as_of=as_of)
    days = LedgerDay.objects.filter(award=award, day__lte=as_of).exclude(federal_expenditures=0)
    by_month = {
        month: total.quantize(CENT)
        for month, total in days.annotate(month=TruncMonth("day"))
        .values("month")
        .annotate(t=MoneySum("federal_expenditures", default=ZERO))
        .order_by()
        .values_list("month", "t")
    }
    latest = days.aggregate(last=Max("day"))["last"]
    last = max(min(as_of, award.period_end), latest or award.period_start)
    months, running = [], ZERO
    month = award.period_start.replace(day=1)
    while month <= last:
        running += by_month.get(month, ZERO)
        end = min(_month_end(month), last)
        months.append(MonthSpent(end, running, even_pace(award, balances.authorized, end)))
        month = _month_end(month) + timedelta(days=1)
    return Spending(award, as_of, balances.authorized, balances.federal_expenditures, months)


MEASURE_LABELS = dict(MEASURES)


def measure_or_default(name: str | None) -> str:
    """A measure named in the query string, or the first one."""
    return name if name in MEASURE_LABELS else MEASURES[0][0]


def measure_over_time(*, user, measure: str, award: Award | None = None) -> list[tuple[date, int]]:
    """A performance measure per reporting period, from the filed progress reports the
    person may read: one award's, or summed over every award (the program's)."""
    reports = progress_reports_for_user(user=user).filter(status__in=FILED_IN)
    if award is not None:
        reports = reports.filter(award=award)
    return list(
        reports.values("period_end")
        .annotate(total=Sum(measure))
        .order_by("period_end")
        .values_list("period_end", "total")
    )
