"""Running balances for one page of an award's ledger, in a constant number of queries.

"Cash on hand after" and "federal spent after" an entry are the award's balances after
that entry in ledger order (effective date, then posting order), whatever the page's
filter or sort. Computing them per row in SQL (a subquery over every earlier entry)
costs the square of the ledger's depth. Here a page reads, once: the per-day totals
(budgets.ledger_days) before its first day, the per-day totals of the days it spans,
and, per row, the totals of its own day's entries up to it (a subquery over that day).
Each row's balance is then what the days before it hold plus its own day up to it. The
ledger page (budgets.tables.LedgerTable) and the JSON API both use this module.
"""

from bisect import bisect_left
from decimal import Decimal
from functools import cache

from django.db.models import OuterRef, Subquery, Sum

from budgets.kinds import CASH_ON_HAND, KINDS
from budgets.ledger_days import LINE_SUMS
from budgets.models import LedgerDay, LedgerEntry
from grants.money import ZERO

# What each balance sums: total name -> sign (budgets.kinds).
BALANCES = {
    "cash_after": CASH_ON_HAND.terms,
    "federal_spent_after": {"federal_expenditures": 1},
}
TOTALS = sorted({total for terms in BALANCES.values() for total in terms})


@cache
def per_unit(kind: str, share: str, paying: bool, in_kind: bool) -> tuple[int, ...]:
    """How one entry of amount 1 (not a reversal) moves each balance, in BALANCES order:
    the one rule both a page here and a pass over the whole ledger (the workbook's
    Ledger sheet, reports.exports.workbooks.ledger_rows) follow."""
    moved = KINDS[kind].moved(share, paying, in_kind=in_kind)
    return tuple(
        sum(moved.get(total, 0) * sign for total, sign in terms.items())
        for terms in BALANCES.values()
    )


def _day_moves(row: dict) -> dict[str, Decimal]:
    return {
        balance: sum(((row[t] or ZERO) * s for t, s in terms.items()), ZERO)
        for balance, terms in BALANCES.items()
    }


def add_running_balances(award_id: int, rows: list[LedgerEntry]) -> None:
    """Set `cash_after` and `federal_spent_after` on each of `rows` (one award's)."""
    if not rows:
        return
    first = min(row.effective_date for row in rows)
    last = max(row.effective_date for row in rows)
    days = LedgerDay.objects.filter(award_id=award_id)
    before = days.filter(day__lt=first).aggregate(**{t: Sum(t) for t in TOTALS})
    running = _day_moves(before)
    # Balance at the start of each day the page spans: the days before it, summed.
    starts, opening_of = [], []
    for row in days.filter(day__range=(first, last)).order_by("day").values("day", *TOTALS):
        starts.append(row["day"])
        opening_of.append(dict(running))
        for balance, amount in _day_moves(row).items():
            running[balance] += amount

    def opening(day):
        at = bisect_left(starts, day)  # the first day row on or after `day`
        return dict(opening_of[at]) if at < len(starts) else dict(running)

    # Each row's own day up to it, summed in SQL: a page sorted by amount spans many
    # days, whose every entry would otherwise be read and walked here.
    day_sums = _same_day_sums(award_id, rows)
    for row in rows:
        balance = opening(row.effective_date)
        for name, amount in _day_moves(day_sums[row.pk]).items():
            balance[name] += amount
        for name, amount in balance.items():
            setattr(row, name, amount)


def _same_day_sums(award_id: int, rows: list[LedgerEntry]) -> dict[int, dict]:
    """Per row, the totals (TOTALS) of the entries of its day up to and including it, in
    ledger order: a subquery per row over its day only (budgets_ledger_award_order_idx)."""
    up_to = (
        LedgerEntry.objects.filter(
            award_id=award_id, effective_date=OuterRef("effective_date"), pk__lte=OuterRef("pk")
        )
        .order_by()
        .values("award_id")
    )
    sums = {total: Subquery(up_to.annotate(t=LINE_SUMS[total]).values("t")) for total in TOTALS}
    return {
        row["pk"]: row
        for row in LedgerEntry.objects.filter(pk__in=[row.pk for row in rows])
        .annotate(**sums)
        .values("pk", *TOTALS)
    }
