"""What the posting rules read about an award, behind one small object (a "book").

The rules of budgets.ledger (dates, categories, payments, the limits of every balance an
entry lowers, the 10% transfer rule of budgets.overrun, the indirect cost cap of
budgets.indirect) are one set of functions. They ask a book, never the database:

- `DatabaseBook` reads the database to answer, keeping the answers asked again.
  `ledger.entry_post` builds one per entry, under the award's lock.
- `MemoryBook` reads the award once and then keeps the running balances in memory,
  counting each entry the caller accepts (`add`). `ledger_batch.post_batch` builds one
  per file, under the same lock, so ten thousand rows are checked against the balances
  as they stand after the rows before them without a query per row.

Both answer every question the same way; tests/budgets/test_ledger_batch.py holds a
batch against the same rows posted one by one.
"""

from bisect import bisect_left, bisect_right
from collections.abc import Mapping
from datetime import date
from decimal import Decimal

from django.db.models import Q

from budgets.balances import (
    Balances,
    Low,
    balances_from_sums,
    committed_by_category,
    liquidation_end,
    lowest_from,
    unpaid,
)
from budgets.kinds import KINDS, LIMITS, TOTALS, UNOBLIGATED, Share, moving
from budgets.ledger_days import LINES, signed_sum
from budgets.models import BudgetLine, LedgerCategoryDay, LedgerDay, LedgerEntry
from grants.indirect_rates import RatePeriod, rate_period_on, rate_periods
from grants.models import Award, AwardFunding
from grants.money import CENT, ZERO, MoneySum, round_money
from grants.selectors import RuleBook, rule_value

SPENDING = moving("federal_expenditures", "recipient_expenditures")


def federal_lines(version) -> dict[str, Decimal]:
    return version.federal_amounts() if version is not None else {}


def spent_between(award: Award, categories, start: date, end: date, share: str = "") -> Decimal:
    """Expenditures of the award in `categories` dated start..end (both shares, or one),
    from the per-category totals (models.LedgerCategoryDay)."""
    lines = {
        "": ("federal_expenditures", "recipient_expenditures"),
        Share.FEDERAL: ("federal_expenditures",),
        Share.RECIPIENT: ("recipient_expenditures",),
    }[share]
    sums = LedgerCategoryDay.objects.filter(
        award=award, category__in=categories, day__gte=start, day__lte=end
    ).aggregate(**{line: MoneySum(line, default=ZERO) for line in lines})
    return round_money(sum(sums.values(), ZERO))


class _BudgetReads:
    """The award's budget as both books read it: once, at the first question. A book is
    used under the award's lock, so the budget cannot change while it is."""

    def __init__(self, award: Award):
        self.award = award
        self._lines: dict[str, BudgetLine] | None = None
        self._base: dict[str, Decimal] | None = None
        self._committed: dict[str, Decimal] | None = None

    def _lines_in_force(self) -> dict[str, BudgetLine]:
        if self._lines is None:
            self._lines = {
                line.category: line for line in self.award.budget_versions.lines_in_force()
            }
        return self._lines

    def budgeted(self, category: str, share: str) -> Decimal | None:
        """The category's approved amount of `share` in the current budget, None for a
        category it does not budget."""
        line = self._lines_in_force().get(category)
        if line is None:
            return None
        return (
            line.federal_amount if share == LedgerEntry.Share.FEDERAL else line.non_federal_amount
        )

    def current_budget(self) -> dict[str, Decimal]:
        """The federal amount of each category the current budget has."""
        return {code: line.federal_amount for code, line in self._lines_in_force().items()}

    def agency_base(self) -> dict[str, Decimal]:
        if self._base is None:
            self._base = federal_lines(self.award.budget_versions.agency_base())
        return self._base

    def committed(self) -> dict[str, Decimal]:
        if self._committed is None:
            self._committed = committed_by_category(self.award)
        return self._committed


class DatabaseBook(_BudgetReads):
    """Answers read from the database: for one entry posted alone, under the award's
    lock. Nothing is written while it is in use, so the answers asked again are kept
    from their first reading: the budget, and the lowest balances from a day (every
    limit an entry lowers asks for those of its date)."""

    def __init__(self, award: Award):
        super().__init__(award)
        self._lows: dict[date, dict[str, Low]] = {}

    def rule(self, key: str, *, on: date) -> Decimal:
        return rule_value(key, on=on)

    def liquidation_end(self) -> date:
        return liquidation_end(self.award)

    def lowest_from(self, since: date) -> dict[str, Low]:
        if since not in self._lows:
            self._lows[since] = lowest_from(self.award, since=since)
        return self._lows[since]

    def paid_entry(self, field: str, entry: LedgerEntry) -> LedgerEntry | None:
        """`entry` read again, if it is an unreversing entry of kind `field` on the award."""
        return LedgerEntry.objects.filter(
            pk=entry.pk, award=self.award, kind=field, reverses__isnull=True
        ).first()

    def reversed(self, entry: LedgerEntry) -> bool:
        return hasattr(entry, "reversed_by")

    def unpaid(self, entry: LedgerEntry) -> Decimal:
        return unpaid(entry)

    def spent(self, categories, start: date, end: date, share: str = "") -> Decimal:
        return spent_between(self.award, categories, start, end, share)

    def rate_period_on(self, day: date) -> RatePeriod | None:
        return rate_period_on(self.award.recipient, day)


class MemoryBook(_BudgetReads):
    """The award read once, then kept up to date in memory as entries are accepted.

    `days` are the dates the caller will ask about (entry dates, dates paid): with the
    days that already have entries they are the days whose balances are kept, so the
    lowest balance from any of them on is a slice of a list. Call only under the
    award's lock, which keeps every other writer off the award while it is in use."""

    def __init__(self, award: Award, *, days=()):
        super().__init__(award)
        existing = {
            row["day"]: {line: row[line] for line in LINES}
            for row in LedgerDay.objects.filter(award=award).values("day", *LINES)
        }
        self.days: list[date] = sorted(set(existing) | set(days))
        self._index = {day: i for i, day in enumerate(self.days)}
        self.day_totals: dict[date, dict[str, Decimal]] = {
            day: existing.get(day) or dict.fromkeys(LINES, ZERO) for day in self.days
        }
        self.touched: set[date] = set()
        # (the day a funding line takes effect, None for the award's own; its amount)
        self._funding = [
            (date.min if amendment is None else on, amount)
            for amendment, on, amount in AwardFunding.objects.filter(award=award).values_list(
                "amendment", "amendment__effective_on", "amount"
            )
        ]
        # The balance of each limit at the end of each day, and after every entry.
        running = dict.fromkeys(LINES, ZERO)
        self._balances: dict[str, list[Decimal]] = {limit.name: [] for limit in LIMITS}
        for day in self.days:
            for line, amount in self.day_totals[day].items():
                running[line] += amount
            authorized = self._authorized_on(day)
            for limit in LIMITS:
                self._balances[limit.name].append(self._value(limit, running, authorized))
        authorized = self._authorized_on(date.max)
        self._latest = {limit.name: self._value(limit, running, authorized) for limit in LIMITS}
        # Expenditures per category and share, per day: the indirect cost cap's sums.
        self._spent: dict[tuple[str, str], list[Decimal]] = {}
        for row in (
            LedgerEntry.objects.filter(SPENDING, award=award)
            .values("category", "share", "effective_date")
            .annotate(t=signed_sum(Q()))
            .order_by()
        ):
            self._spending(row["category"], row["share"])[self._index[row["effective_date"]]] += (
                row["t"]
            )
        self._unpaid: dict[int, Decimal] = {}
        self._new: set[int] = set()
        self._rules: dict[str, RuleBook] = {}
        self._liquidation_end: date | None = None
        self._periods: list[RatePeriod] | None = None
        self._moved: dict[tuple, tuple] = {}

    # --- reading -------------------------------------------------------------------

    def _authorized_on(self, day: date) -> Decimal:
        return sum(
            (amount for on, amount in self._funding if on is not None and on <= day), ZERO
        ).quantize(CENT)

    @staticmethod
    def _value(limit, totals: dict[str, Decimal], authorized: Decimal) -> Decimal:
        start = authorized if limit.of_authorized else ZERO
        return start + sum((sign * totals[total] for total, sign in limit.terms.items()), ZERO)

    def _spending(self, category: str, share: str) -> list[Decimal]:
        key = (category, share)
        if key not in self._spent:
            self._spent[key] = [ZERO] * len(self.days)
        return self._spent[key]

    def rule(self, key: str, *, on: date) -> Decimal:
        # Every dated value of the rule at the first question: a file's rows fall on
        # hundreds of days.
        if key not in self._rules:
            self._rules[key] = RuleBook([key])
        return self._rules[key].value(key, on=on)

    def liquidation_end(self) -> date:
        if self._liquidation_end is None:
            self._liquidation_end = liquidation_end(self.award)
        return self._liquidation_end

    def lowest_from(self, since: date) -> dict[str, Low]:
        """As balances.lowest_from: a day kept here without entries never has a lower
        balance than the day before it (funds only rise with a supplement), so keeping
        more days than have entries changes neither a low nor its first day."""
        return _Lows(self, self._index[since])

    def _low(self, name: str, start: int) -> Low:
        balances = self._balances[name]
        low = min(balances[start:])
        return Low(low, self.days[balances.index(low, start)], self._latest[name])

    def paid_entry(self, field: str, entry: LedgerEntry) -> LedgerEntry | None:
        # Entries given here are the award's own (found by their reference on it).
        return entry if entry.kind == field and entry.reverses_id is None else None

    def reversed(self, entry: LedgerEntry) -> bool:
        return id(entry) not in self._new and hasattr(entry, "reversed_by")

    def know_unpaid(self, entries: list[LedgerEntry]) -> None:
        """Read what is still unpaid of existing entries a batch may pay, in two queries."""
        Kind = LedgerEntry.Kind
        for kind, field in ((Kind.OBLIGATION, "obligation"), (Kind.EXPENDITURE, "expenditure")):
            of_kind = {entry.pk: entry for entry in entries if entry.kind == kind}
            if not of_kind:
                continue
            paid = dict(
                LedgerEntry.objects.filter(**{f"{field}__in": list(of_kind)})
                .values(field)
                .annotate(t=signed_sum(Q()))
                .values_list(field, "t")
                .order_by()
            )
            for pk, entry in of_kind.items():
                self._unpaid[id(entry)] = (
                    ZERO
                    if self.reversed(entry) or entry.in_kind_basis
                    else entry.amount - paid.get(pk, ZERO)
                )

    def unpaid(self, entry: LedgerEntry) -> Decimal:
        return self._unpaid[id(entry)]

    def spent(self, categories, start: date, end: date, share: str = "") -> Decimal:
        low, high = bisect_left(self.days, start), bisect_right(self.days, end)
        total = ZERO
        for (category, of_share), by_day in self._spent.items():
            if category in categories and (not share or of_share == share):
                total += sum(by_day[low:high], ZERO)
        return round_money(total)

    def rate_period_on(self, day: date) -> RatePeriod | None:
        start, end = self.award.period_start, self.liquidation_end()
        if not start <= day <= end:
            return rate_period_on(self.award.recipient, day)
        if self._periods is None:
            self._periods = rate_periods(self.award.recipient, start, end)
        # rate_periods keeps its agreements' order, so the first covering `day` is the
        # one rate_period_on(day) finds.
        return next((p for p in self._periods if p.covers(day)), None)

    # --- counting an accepted entry -------------------------------------------------

    def add(self, entry: LedgerEntry, paid: LedgerEntry | None = None) -> None:
        """Count an accepted new entry (not yet written), paying `paid` if given, in
        every running balance."""
        self._new.add(id(entry))
        kind = KINDS[entry.kind]
        moved, changes = self._moves(kind, entry.share, paid is not None, entry.in_kind)
        day, amount = entry.effective_date, entry.amount
        start = self._index[day]
        totals = self.day_totals[day]
        for total, sign in moved.items():
            totals[total] += sign * amount
        self.touched.add(day)
        for name, sign in changes:
            change = sign * amount
            balances = self._balances[name]
            balances[start:] = [balance + change for balance in balances[start:]]
            self._latest[name] += change
        if entry.kind == LedgerEntry.Kind.EXPENDITURE:
            self._spending(entry.category, entry.share)[start] += entry.amount
        committed = self.committed()
        for total in TOTALS:
            sign = moved.get(total.name)
            if sign and total.name in UNOBLIGATED.terms:
                category = paid.category if total.category_field != "category" else entry.category
                committed[category] = (
                    committed.get(category, ZERO)
                    - UNOBLIGATED.terms[total.name] * sign * entry.amount
                )
        if paid is not None:
            self._unpaid[id(paid)] -= entry.amount
        if kind.pays or kind.code in {k.pays for k in KINDS.values()}:
            self._unpaid[id(entry)] = ZERO if entry.in_kind_basis else entry.amount

    def _moves(self, kind, share: str, paying: bool, in_kind: bool):
        """The totals an entry moves and the limits it changes (name, sign), worked out
        once per kind of entry rather than for each."""
        key = (kind.code, share, paying, in_kind)
        if key not in self._moved:
            moved = kind.moved(share, paying, in_kind=in_kind)
            changes = [(limit.name, limit.change(moved)) for limit in LIMITS]
            self._moved[key] = (moved, [(name, sign) for name, sign in changes if sign])
        return self._moved[key]

    def sums(self, *, as_of: date) -> dict[str, Decimal]:
        """The signed totals per line over the days on or before `as_of`."""
        totals = dict.fromkeys(LINES, ZERO)
        for day in self.days[: bisect_right(self.days, as_of)]:
            for line, amount in self.day_totals[day].items():
                totals[line] += amount
        return {line: total.quantize(CENT) for line, total in totals.items()}

    def balances(self, *, as_of: date) -> Balances:
        return balances_from_sums(self.award, self.sums(as_of=as_of), as_of=as_of)


class _Lows(Mapping):
    """MemoryBook.lowest_from's answer: each limit's low worked out when it is asked for
    (a rule asks for one or two of them)."""

    def __init__(self, book: MemoryBook, start: int):
        self.book, self.start, self.found = book, start, {}

    def __getitem__(self, name: str) -> Low:
        if name not in self.found:
            self.found[name] = self.book._low(name, self.start)
        return self.found[name]

    def __iter__(self):
        return iter(self.book._balances)

    def __len__(self) -> int:
        return len(self.book._balances)
