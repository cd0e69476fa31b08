"""Builders for compliance tests: an active award whose budget has equipment (D) and
subawards (G), and ledger entries on it."""

import uuid
from datetime import date
from decimal import Decimal

from budgets import ledger
from budgets.services import LineInput
from tests import factories
from tests.budgets.ledger_helpers import activate

D = Decimal


def active_award(
    program, *, amount="200000.00", lines=None, task_force=None, appropriation=None, **fields
):
    """An active award of task force A (unless told), budget A 100,000 / D 50,000 / G
    50,000 for the default amount."""
    lines = lines or [
        LineInput("A", D("100000.00"), D("0.00"), "Investigators"),
        LineInput("D", D("50000.00"), D("0.00"), "Forensic workstations"),
        LineInput("G", D("50000.00"), D("0.00"), "Affiliate agencies"),
    ]
    award = factories.make_award(
        program.pm,
        task_force=task_force or program.task_force_a,
        appropriation=appropriation or program.appropriation,
        amount=amount,
        lines=lines,
        **fields,
    )
    return activate(program, award)


def spend(program, award, amount, *, category="A", day=date(2025, 1, 15), actor=None):
    return ledger.entry_post(
        actor=actor or program.officer_a,
        award=award,
        kind="expenditure",
        amount=D(amount),
        effective_date=day,
        idempotency_key=uuid.uuid4(),
        category=category,
    )


def reverse(program, entry, *, day=None, actor=None):
    return ledger.entry_reverse(
        actor=actor or program.officer_a,
        entry=entry,
        reason="Entered in error",
        idempotency_key=uuid.uuid4(),
        **({"effective_date": day} if day else {}),
    )
