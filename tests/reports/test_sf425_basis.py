"""docs/rules/worked-examples.md#sf-425-for-a-quarter on both accounting bases, typed as a
finance officer types it: expenditures with their dates paid, and payments that fall in
the following quarter (docs/rules/sf425.md#accounting-basis)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest

from budgets import ledger
from budgets.services import LineInput
from grants.models import Recipient
from reports.sf425 import compute_sf425
from tests import factories
from tests.budgets.ledger_helpers import activate, second_approver

D = Decimal
Q1, Q2 = date(2025, 3, 31), date(2025, 6, 30)


@pytest.fixture
def award(program):
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="500000.00",
        match_required=D("50000.00"),
        lines=[LineInput("A", D("418000.00"), D("50000.00")), LineInput("H", D("82000.00"))],
    )
    activate(program, award)
    award.refresh_from_db()

    def post(kind, amount, day, **fields):
        return ledger.entry_post(
            actor=program.officer_a,
            award=award,
            kind=kind,
            amount=D(amount),
            effective_date=day,
            idempotency_key=uuid.uuid4(),
            today=date(2025, 4, 10),
            **fields,
        )

    for amount, day in (("120000.00", date(2024, 12, 15)), ("90000.00", date(2025, 3, 10))):
        request = ledger.drawdown_request(
            actor=program.officer_a,
            award=award,
            amount=D(amount),
            idempotency_key=uuid.uuid4(),
            today=day,
        )
        if request.status == request.Status.REQUESTED:  # an advance: above the need
            request = ledger.drawdown_approve(actor=second_approver(), request=request, today=day)
        ledger.drawdown_mark_paid(actor=program.approver, request=request, today=day)
    # Paid when typed in: $118,500 and $80,000.
    post("expenditure", "118500.00", date(2024, 12, 18), category="A", paid_on=date(2024, 12, 20))
    post("expenditure", "80000.00", date(2025, 3, 1), category="A", paid_on=date(2025, 3, 14))
    # Incurred in March, paid in April.
    late = post("expenditure", "6500.00", date(2025, 3, 20), category="A")
    post("disbursement", "6500.00", date(2025, 4, 5), expenditure=late, memo="Check 2211")
    post("obligation", "15000.00", date(2025, 2, 1), category="H")
    # Match: $10,000 paid at once, $2,000 incurred in March and paid in April.
    post(
        "expenditure",
        "10000.00",
        date(2025, 3, 1),
        category="A",
        share="recipient",
        paid_on=date(2025, 3, 1),
    )
    match = post("expenditure", "2000.00", date(2025, 3, 28), category="A", share="recipient")
    post("disbursement", "2000.00", date(2025, 4, 2), expenditure=match)
    return award


def lines(award, basis, period_end):
    Recipient.objects.filter(pk=award.recipient_id).update(accounting_basis=basis)
    award.refresh_from_db()
    report = compute_sf425(award, period_end=period_end, is_final=False)
    return report.basis, {
        k: str(v)
        for k, v in report.lines.items()
        if k[:3] in ("10a", "10b", "10c", "10d", "10e", "10f", "10g", "10h", "10i", "10j", "10k")
    }


def test_worked_example_on_the_accrual_basis(award):
    assert lines(award, "accrual", Q1) == (
        "Accrual",
        {
            "10a": "210000.00",
            "10b": "198500.00",
            "10c": "11500.00",
            "10d": "500000.00",
            "10e": "205000.00",
            "10f": "15000.00",
            "10g": "220000.00",
            "10h": "280000.00",
            "10i": "50000.00",
            "10j": "12000.00",
            "10k": "38000.00",
        },
    )


def test_worked_example_on_the_cash_basis_counts_what_was_paid(award):
    # The $6,500 incurred in March and paid in April is owed at the end of March, not
    # spent; so is the $2,000 of match.
    assert lines(award, "cash", Q1) == (
        "Cash",
        {
            "10a": "210000.00",
            "10b": "198500.00",
            "10c": "11500.00",
            "10d": "500000.00",
            "10e": "198500.00",
            "10f": "21500.00",
            "10g": "220000.00",
            "10h": "280000.00",
            "10i": "50000.00",
            "10j": "10000.00",
            "10k": "40000.00",
        },
    )


def test_the_following_quarter_counts_the_april_payments_on_both_bases(award):
    expected = {
        "10a": "210000.00",
        "10b": "205000.00",
        "10c": "5000.00",
        "10d": "500000.00",
        "10e": "205000.00",
        "10f": "15000.00",
        "10g": "220000.00",
        "10h": "280000.00",
        "10i": "50000.00",
        "10j": "12000.00",
        "10k": "38000.00",
    }
    assert lines(award, "cash", Q2) == ("Cash", expected)
    assert lines(award, "accrual", Q2) == ("Accrual", expected)
