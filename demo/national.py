"""The demo at national scale (load_demo --national): the program's past awards of
demo/history.py, each with its ledger posted entry by entry instead of its final figures
in one day. About a million entries over the years since FY1999: obligations and the
expenditures paying them, payroll paid when incurred, invoices paid by later
disbursements, cash drawn each quarter, program income earned and spent, a few entries
posted twice and reversed; one large award holds about a hundred thousand of them.

Every entry goes through the rule-checked paths of a recipient's ledger import
(budgets.ledger_batch.post_batch for the spending, post_past_drawdowns for the cash), as
the task force's finance officer, inside the past-award import (budgets.history_import),
which then holds the award's federal expenditures to its final figure and closes it.

Everything here is invented for demonstration [I: not published]: every amount, date,
reference and memo; the memos say so.
"""

import hashlib
import time
import uuid
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError

from budgets.history_import import PastAward
from budgets.ledger import entry_reverse
from budgets.ledger_batch import BatchRow, post_batch, post_past_drawdowns
from budgets.models import Category
from demo.ledger import finance_officer
from grants.models import Award
from grants.money import CENT

LABEL = "(demonstration history)"
# Entries per past award, and on the one large award, at scale 1: with the roughly 1,450
# past awards about a million in all.
ENTRIES_PER_AWARD = 620
LARGE_AWARD_ENTRIES = 100_000
MONTHS = 24  # a past award's two-year period
NAMESPACE = uuid.UUID("0b7c3f52-6a1e-4d59-8f0e-2c9d4a6b1e73")
# A spending unit's kind, by its position in a cycle of five: an obligation and the
# expenditure paying it (with its payment: three entries), payroll paid when incurred,
# an invoice paid by a disbursement ten days later, supplies paid three days later.
CYCLE = ("order", "payroll", "invoice", "payroll", "supplies")
ENTRIES_OF = {"order": 3, "payroll": 2, "invoice": 2, "supplies": 2}


def _hash(seed: str) -> int:
    return int(hashlib.sha256(seed.encode()).hexdigest(), 16)


def _month_start(start: date, month: int) -> date:
    year, index = divmod(start.month - 1 + month, 12)
    return date(start.year + year, index + 1, 1)


class NationalLedgers:
    """Posts each past award's ledger (history_import.LedgerBuilder) and counts what it
    posted. `scale` multiplies the number of entries (a small fraction for tests);
    `large` is the award number of the one large award."""

    def __init__(self, *, actor, today: date, scale: float = 1.0, large: str = "", progress=None):
        self.actor, self.today, self.scale, self.large = actor, today, scale, large
        self.progress = progress or (lambda line: None)
        self.awards = self.entries = self.reversals = 0
        self.started = time.monotonic()
        self._officers: dict[int, object] = {}

    def summary(self, total: int | None = None) -> str:
        return (
            f"{self.awards:,}{f' of {total:,}' if total else ''} awards, {self.entries:,} entries, "
            f"{time.monotonic() - self.started:,.0f} s"
        )

    def __call__(self, award: Award, past: PastAward) -> None:
        large = past.award_number == self.large
        wanted = LARGE_AWARD_ENTRIES if large else ENTRIES_PER_AWARD
        if large:
            self.progress(
                f"  {past.award_number}: the large award, about "
                f"{round(wanted * self.scale):,} entries ({self.summary()} so far)"
            )
        draws, rows, twice = plan_ledger(past, entries=max(12, round(wanted * self.scale)))
        officer = self._officer(award)
        cash = post_past_drawdowns(
            actor=self.actor,
            award=award,
            draws=draws,
            memo=f"Cash drawn for the quarter {LABEL}",
            today=self.today,
        )
        result = post_batch(
            actor=officer,
            award=award,
            rows=rows,
            dry_run=False,
            today=self.today,
            via="Demonstration history",
        )
        if result.errors:
            first = result.errors[0]
            raise ValidationError(f"Line {first.line} {first.field}: {first.message}")
        self.entries += len(cash) + len(result.posted)
        if twice:
            posted = next(e for e in result.posted if e.reference == twice)
            entry_reverse(
                actor=officer,
                entry=posted,
                reason=f"Posted twice {LABEL}",
                idempotency_key=uuid.uuid5(NAMESPACE, f"{award.pk}:reversal"),
                effective_date=posted.effective_date,
                today=self.today,
            )
            self.entries += 1
            self.reversals += 1
        self.awards += 1

    def _officer(self, award: Award):
        if award.task_force_id not in self._officers:
            self._officers[award.task_force_id] = finance_officer(award)
        return self._officers[award.task_force_id]


def plan_ledger(past: PastAward, *, entries: int):
    """A past award's invented ledger of about `entries` entries whose federal
    expenditures come to its final figure: (the quarter's cash draws, the rows of its
    import, the reference of an expenditure posted twice and to be reversed or "")."""
    seed = past.award_number
    spent = int(past.expended / CENT)  # in cents
    units = max(1, min(round(entries / 2.2), spent))
    base = spent // units
    start, end = past.period_start, past.period_end
    rows: list[BatchRow] = []
    drawn: dict[date, int] = {}

    def add(reference: str, kind: str, cents: int, on: date, **fields) -> None:
        rows.append(
            BatchRow(
                line=len(rows) + 2,
                reference=reference,
                kind=kind,
                amount=Decimal(cents) / 100,
                effective_date=on,
                category=Category.OTHER if kind in ("obligation", "expenditure") else "",
                **fields,
            )
        )

    for unit in range(units):
        cents = base if unit < units - 1 else spent - base * (units - 1)
        month = unit * MONTHS // units
        first = _month_start(start, month)
        on = min(first + timedelta(days=unit * 7 % 28), end)
        quarter = _month_start(start, month - month % 3)
        drawn[quarter] = drawn.get(quarter, 0) + cents
        what = CYCLE[unit % len(CYCLE)]
        ref = f"{unit + 1:06d}"
        month_name = f"{first:%B %Y}"
        if what == "order":
            add(f"PO-{ref}", "obligation", cents, on, memo=f"Purchase order {LABEL}")
            paid = min(on + timedelta(days=7), end)
            add(
                f"INV-{ref}",
                "expenditure",
                cents,
                paid,
                pays=f"PO-{ref}",
                paid_on=paid,
                memo=f"Delivery on purchase order PO-{ref} {LABEL}",
            )
        elif what == "payroll":
            add(
                f"PAY-{ref}",
                "expenditure",
                cents,
                on,
                paid_on=on,
                memo=f"Payroll, {month_name} {LABEL}",
            )
        elif what == "invoice":
            add(f"INV-{ref}", "expenditure", cents, on, memo=f"Contractor invoice {LABEL}")
            add(
                f"CHK-{ref}",
                "disbursement",
                cents,
                min(on + timedelta(days=10), end),
                pays=f"INV-{ref}",
                memo=f"Cheque paying INV-{ref} {LABEL}",
            )
        else:
            add(
                f"SUP-{ref}",
                "expenditure",
                cents,
                on,
                paid_on=min(on + timedelta(days=3), end),
                memo=f"Supplies, {month_name} {LABEL}",
            )
    # Program income on one award in three: fees for a training, spent on the project.
    if _hash(seed + "income") % 3 == 0:
        for quarter in range(0, MONTHS, 3):
            day = _month_start(start, quarter) + timedelta(days=14)
            cents = 20_000 + _hash(f"{seed}{quarter}") % 30_000
            add(f"PI-{quarter:02d}", "program_income", cents, day, memo=f"Training fees {LABEL}")
            add(
                f"PIS-{quarter:02d}",
                "program_income_spent",
                cents,
                day + timedelta(days=5),
                memo=f"Training fees spent on the project {LABEL}",
            )
    # One award in forty has an invoice posted twice, reversed once the posted ledger is
    # checked: the reversal leaves the final figure as it was.
    twice = ""
    unspent = int((past.federal_amount - past.expended) / CENT)
    if _hash(seed + "twice") % 40 == 0 and unspent >= 200:
        twice = "INV-TWICE"
        add(
            twice,
            "expenditure",
            min(50_000, unspent // 2),
            start + timedelta(days=40),
            memo=f"Contractor invoice, entered twice {LABEL}",
        )
    draws = [(day, Decimal(cents) / 100) for day, cents in sorted(drawn.items())]
    return draws, rows, twice
