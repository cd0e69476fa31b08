"""Spending beyond a budget category's approved federal amount: a transfer between
categories, under the same rule as a budget modification (decision record 0004,
docs/rules/award-lifecycle-and-budgets.md#spending-beyond-a-category).

Federal money committed in a category (expenditures plus what is still owed on its
obligations) above the category's amount in the current budget has, in effect, been moved
there from the other categories. Measured against the budget the awarding agency last
approved, the cumulative move is the sum over categories of what each holds above its
base, counting a category at the larger of its current budget and what is committed in
it. Above the simplified acquisition threshold it may not exceed the transfer percentage
of the award without prior approval; a category with no budget takes no spending at all
(ledger._check_category).
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError

from budgets.book import DatabaseBook
from budgets.models import Category
from grants.models import Award
from grants.money import ZERO, format_money, round_money

PERCENT = Decimal(100)
CATEGORIES = tuple(Category.values)  # read once: the enum builds the list at each use


@dataclass(frozen=True)
class Transfers:
    """How far an award's commitments have moved money between categories."""

    over: dict[str, Decimal]  # per category, committed above its current budget
    transfer: Decimal  # the cumulative move against the agency-approved base
    limit: Decimal  # what may move without prior approval (display, rounded)
    pct: Decimal
    applies: bool  # the award is above the simplified acquisition threshold
    exceeded: bool


def transfers(
    award: Award, *, on: date, adding: tuple[str, Decimal] | None = None, book=None
) -> Transfers:
    """The award's transfers by spending, with `adding` (category, amount) committed on
    top when given, under the rule values in force on `on`. `book` (budgets.book) says
    what the award holds; by default the database is read."""
    book = book or DatabaseBook(award)
    budget = book.current_budget()
    base = book.agency_base()
    committed = dict(book.committed())
    if adding is not None:
        category, amount = adding
        committed[category] = committed.get(category, ZERO) + amount
    held = {code: max(budget.get(code, ZERO), committed.get(code, ZERO)) for code in CATEGORIES}
    transfer = sum((max(ZERO, held[code] - base.get(code, ZERO)) for code in held), ZERO)
    pct = book.rule("budget_transfer_pct", on=on)
    applies = award.federal_amount > book.rule("simplified_acquisition_threshold", on=on)
    return Transfers(
        over={
            code: committed[code] - budget.get(code, ZERO)
            for code in CATEGORIES
            if committed.get(code, ZERO) > budget.get(code, ZERO)
        },
        transfer=transfer,
        limit=round_money(award.federal_amount * pct / PERCENT),
        pct=pct,
        applies=applies,
        # Exact comparison, as for budget modifications: no rounding decides it.
        exceeded=applies and transfer * PERCENT > award.federal_amount * pct,
    )


def check_within_budget(
    award: Award, category: str, amount: Decimal, *, on: date, book=None
) -> None:
    """Refuse federal spending or an obligation that would move more between categories
    than the rule allows without prior approval. Call under the award's lock."""
    book = book or DatabaseBook(award)
    found = transfers(award, on=on, adding=(category, amount), book=book)
    over = found.over.get(category)
    if over is None or not found.exceeded:
        return
    budget = book.current_budget().get(category, ZERO)
    raise ValidationError(
        {
            "amount": f"{format_money(amount)} would take {Category(category).label} "
            f"{format_money(over)} over its approved federal budget of {format_money(budget)}. "
            f"Spending beyond a category's budget moves money between categories: "
            f"{format_money(found.transfer)} would have moved since the last approved budget, "
            f"more than the {format_money(found.limit)} ({found.pct.normalize():f}% of the award) "
            "that may move without prior approval. Propose a budget modification first."
        }
    )
