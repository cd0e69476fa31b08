"""Reconciliation: recompute every award's balances from its entries, in plain Python,
and compare them with what the database gives (the per-day totals and the aggregates
read from them) and with the ledger's rules.

The recomputation says in its own words what each kind of entry counts on: it does not
read budgets.kinds, from which the database's totals are derived, so a mistake in one
shows against the other (tests/budgets/test_kinds.py holds them together kind by kind).
"""

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from budgets.balances import award_balances
from budgets.models import DrawdownRequest, LedgerCategoryDay, LedgerDay, LedgerEntry
from grants.models import Award
from grants.money import ZERO, format_money

Kind = LedgerEntry.Kind
# The per-day totals as the database holds them: every LedgerDay column but its keys.
DAY_TOTALS = tuple(
    f.name for f in LedgerDay._meta.concrete_fields if f.name not in ("id", "award", "day")
)

# The totals kept per budget category, and the columns that are not totals.
CATEGORY_TOTALS = tuple(
    f.name
    for f in LedgerCategoryDay._meta.concrete_fields
    if f.name not in ("id", "award", "day", "category")
)


@dataclass(frozen=True)
class Problem:
    award: str
    message: str

    def __str__(self) -> str:
        return f"{self.award}: {self.message}"


def _python_totals(entries: list[LedgerEntry]) -> dict[str, Decimal]:
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        signed = -e.amount if e.reverses_id else e.amount
        if e.kind == Kind.DRAWDOWN:
            totals["drawn"] += signed
        elif e.kind == Kind.DISBURSEMENT:
            # Federal cash paid out; paying an expenditure, it is paid (cash basis).
            if e.share == "federal":
                totals["disbursed"] += signed
            if e.expenditure_id:
                totals["federal_paid" if e.share == "federal" else "recipient_paid"] += signed
        elif e.kind == Kind.OBLIGATION:
            totals["obligated"] += signed
        elif e.kind == Kind.PROGRAM_INCOME:
            totals["program_income"] += signed
        elif e.kind == Kind.PROGRAM_INCOME_SPENT:
            totals["program_income_spent"] += signed
        elif e.kind == Kind.CASH_RETURNED:
            totals["drawn"] -= signed
            totals["returned"] += signed
        elif e.kind == Kind.INTEREST_EARNED:
            totals["interest_earned"] += signed
        elif e.kind == Kind.INTEREST_REMITTED:
            totals["interest_remitted"] += signed
        elif e.kind == Kind.DEOBLIGATION:
            totals["deobligated"] += signed
        elif e.kind == Kind.EXPENDITURE:
            totals[
                "federal_expenditures" if e.share == "federal" else "recipient_expenditures"
            ] += signed
            if e.obligation_id:
                totals["liquidated"] += signed
            # Match given in kind is provided, and so paid, the day it is given.
            if e.in_kind_basis:
                totals["recipient_paid"] += signed
    return totals


def _days_below_zero(award: Award, entries: list[LedgerEntry]) -> Iterator[str]:
    """Cash on hand, the unobligated balance and interest not yet remitted at the end of
    every day with entries:
    a back-dated entry could break them on a past day while today's totals look fine.
    Each is reported once, on the first day it goes below zero."""
    reported: set[str] = set()
    by_day: dict[date, list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        by_day[e.effective_date].append(e)
    totals: dict[str, Decimal] = defaultdict(lambda: ZERO)
    for day in sorted(by_day):
        for name, value in _python_totals(by_day[day]).items():
            totals[name] += value
        cash = totals["drawn"] - totals["disbursed"]
        spent_or_owed = totals["federal_expenditures"] + totals["obligated"] - totals["liquidated"]
        if cash < 0 and "cash" not in reported:
            reported.add("cash")
            yield f"cash on hand is negative on {day:%m/%d/%Y}: {format_money(cash)}"
        unremitted = totals["interest_earned"] - totals["interest_remitted"]
        if unremitted < 0 and "interest" not in reported:
            reported.add("interest")
            yield (
                f"more interest remitted than earned on {day:%m/%d/%Y}: by "
                f"{format_money(-unremitted)}"
            )
        if spent_or_owed > award.federal_amount and "unobligated" not in reported:
            reported.add("unobligated")
            yield (
                f"spent plus unliquidated exceeds authorized on {day:%m/%d/%Y} by "
                f"{format_money(spent_or_owed - award.federal_amount)}"
            )


def _days_disagreeing(award: Award, entries: list[LedgerEntry]) -> Iterator[str]:
    """The stored per-day totals (LedgerDay), which every balance is read from, against
    the entries of each day."""
    by_day: dict[date, list[LedgerEntry]] = defaultdict(list)
    for e in entries:
        by_day[e.effective_date].append(e)
    stored = {row["day"]: row for row in LedgerDay.objects.filter(award=award).values()}
    for day in sorted(set(by_day) | set(stored)):
        python = _python_totals(by_day.get(day, []))
        row = stored.get(day, {})
        # A total counted here that the database does not keep shows as kept at zero.
        lines = DAY_TOTALS + tuple(line for line in python if line not in DAY_TOTALS)
        wrong = [
            f"{line} {format_money(row.get(line, ZERO))} (entries: {format_money(python[line])})"
            for line in lines
            if row.get(line, ZERO) != python[line]
        ]
        if wrong:
            yield f"day totals for {day:%m/%d/%Y} disagree with the entries: {', '.join(wrong)}"


def _category_days_disagreeing(
    entries: list[LedgerEntry], by_pk: dict[int, LedgerEntry], award: Award
) -> Iterator[str]:
    """The stored per-category totals (LedgerCategoryDay), which budget against actual
    and the transfer rule read, against the entries: each counts in its own category,
    except that liquidating an obligation counts in the obligation's."""
    python: dict[tuple, dict[str, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    for e in entries:
        for total, amount in _python_totals([e]).items():
            if total not in CATEGORY_TOTALS:
                continue
            paid = by_pk.get(e.obligation_id)
            category = paid.category if total == "liquidated" and paid else e.category
            python[(e.effective_date, category)][total] += amount
    stored = {
        (row["day"], row["category"]): row
        for row in LedgerCategoryDay.objects.filter(award=award).values()
    }
    for day, category in sorted(set(python) | set(stored)):
        row, sums = stored.get((day, category), {}), python.get((day, category), {})
        wrong = [
            f"{total} {format_money(row.get(total, ZERO))} "
            f"(entries: {format_money(sums.get(total, ZERO))})"
            for total in CATEGORY_TOTALS
            if row.get(total, ZERO) != sums.get(total, ZERO)
        ]
        if wrong:
            yield (
                f"category {category or '(none)'} totals for {day:%m/%d/%Y} disagree with "
                f"the entries: {', '.join(wrong)}"
            )


def reconcile_award(award: Award) -> list[Problem]:
    name = award.award_number
    problems = []
    entries = list(LedgerEntry.objects.filter(award=award).order_by("pk"))
    by_pk = {e.pk: e for e in entries}
    py = _python_totals(entries)
    db = award_balances(award, as_of=date.max)
    pairs = {
        "drawn": (db.drawn, py["drawn"]),
        "disbursed": (db.disbursed, py["disbursed"]),
        "federal expenditures": (db.federal_expenditures, py["federal_expenditures"]),
        "recipient expenditures": (db.recipient_expenditures, py["recipient_expenditures"]),
        "unliquidated obligations": (db.unliquidated, py["obligated"] - py["liquidated"]),
        "program income": (db.program_income, py["program_income"]),
        "program income spent": (db.program_income_spent, py["program_income_spent"]),
        "federal expenditures paid": (db.totals["federal_paid"], py["federal_paid"]),
        "recipient expenditures paid": (db.totals["recipient_paid"], py["recipient_paid"]),
        "interest earned": (db.totals["interest_earned"], py["interest_earned"]),
        "interest remitted": (db.totals["interest_remitted"], py["interest_remitted"]),
    }
    for label, (from_db, from_python) in pairs.items():
        if from_db != from_python:
            problems.append(
                Problem(
                    name,
                    f"{label}: database says {format_money(from_db)}, entries add up to {format_money(from_python)}",
                )
            )
    if db.drawn + db.pending_drawdowns > db.authorized:
        problems.append(
            Problem(
                name,
                f"drawn plus pending {format_money(db.drawn + db.pending_drawdowns)} exceeds authorized {format_money(db.authorized)}",
            )
        )
    problems.extend(Problem(name, message) for message in _days_disagreeing(award, entries))
    problems.extend(
        Problem(name, message) for message in _category_days_disagreeing(entries, by_pk, award)
    )
    problems.extend(Problem(name, message) for message in _days_below_zero(award, entries))
    # What each obligation (by expenditures) and expenditure (by disbursements) is paid.
    paid_per_entry: dict[int, Decimal] = defaultdict(lambda: ZERO)
    for e in entries:
        if e.obligation_id or e.expenditure_id:
            paid_per_entry[e.obligation_id or e.expenditure_id] += (
                -e.amount if e.reverses_id else e.amount
            )
        if e.reverses_id:
            original = by_pk.get(e.reverses_id)
            if (
                original is None
                or original.reverses_id
                or (original.kind, original.amount) != (e.kind, e.amount)
            ):
                problems.append(
                    Problem(name, f"entry {e.pk} does not mirror the entry it reverses")
                )
    for paid_id, paid in paid_per_entry.items():
        paid_entry = by_pk.get(paid_id)
        if paid_entry is None or paid > paid_entry.amount:
            what = paid_entry.get_kind_display().lower() if paid_entry else "entry"
            problems.append(
                Problem(name, f"{what} {paid_id} is paid beyond its amount ({format_money(paid)})")
            )
    for request in DrawdownRequest.objects.filter(award=award, status=DrawdownRequest.Status.PAID):
        entry = by_pk.get(request.ledger_entry_id)
        if entry is None or entry.kind != Kind.DRAWDOWN or entry.amount != request.amount:
            problems.append(
                Problem(name, f"paid drawdown request {request.pk} has no matching ledger entry")
            )
    return problems


def reconcile_all(*, step=None) -> tuple[int, list[Problem]]:
    """Reconcile every award; `step()`, when given, is called after each (progress)."""
    problems, count = [], 0
    for award in Award.objects.order_by("award_number").iterator():
        count += 1
        problems.extend(reconcile_award(award))
        if step is not None:
            step()
    return count, problems
