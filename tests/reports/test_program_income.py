"""Program income earned and spent, under the award's alternative: SF-425 lines 10l–10o
(docs/rules/sf425.md#program-income)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.balances import award_balances
from budgets.models import LedgerEntry
from grants.models import Award
from reports.sf425 import compute_sf425
from tests.budgets.ledger_helpers import activate, post, reverse_entry

D = Decimal
Q = date(2025, 3, 31)


@pytest.fixture
def income(program):
    """$5,000 of registration fees earned, $3,250.50 of it spent; $1,000 of federal match
    spending."""
    activate(program)
    post(program, "program_income", "5000.00", day=date(2025, 1, 20), memo="Conference fees")
    post(program, "program_income_spent", "3250.50", day=date(2025, 2, 3), memo="Venue")
    return program


def lines(program, alternative):
    Award.objects.filter(pk=program.award_a.pk).update(program_income_alternative=alternative)
    program.award_a.refresh_from_db()
    report = compute_sf425(program.award_a, period_end=Q, is_final=False).lines
    return {k: str(report[k]) for k in ("10j", "10l", "10m", "10n", "10o")}


def test_the_addition_alternative_reports_spending_on_10n(income):
    assert lines(income, "addition") == {
        "10j": "0.00",
        "10l": "5000.00",
        "10m": "0.00",
        "10n": "3250.50",
        "10o": "1749.50",
    }


def test_the_deduction_alternative_reports_spending_on_10m(income):
    assert lines(income, "deduction") == {
        "10j": "0.00",
        "10l": "5000.00",
        "10m": "3250.50",
        "10n": "0.00",
        "10o": "1749.50",
    }


def test_cost_sharing_counts_the_income_spent_as_the_recipient_share(income):
    # Not reported as federal program income (10l), but as recipient share (10j).
    assert lines(income, "cost_sharing") == {
        "10j": "3250.50",
        "10l": "1749.50",
        "10m": "0.00",
        "10n": "0.00",
        "10o": "1749.50",
    }


def test_spending_more_than_was_earned_is_refused_and_writes_nothing(income):
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        post(income, "program_income_spent", "1749.51", day=date(2025, 2, 10))
    assert raised.value.message_dict["amount"] == [
        "$1,749.51 is $0.01 more than the $1,749.50 of program income earned and not yet spent."
    ]
    # Nor may it be spent before it was earned.
    with pytest.raises(ValidationError) as raised:
        post(income, "program_income_spent", "1.00", day=date(2025, 1, 19))
    assert raised.value.message_dict["amount"] == [
        "$1.00 is $1.00 more than the $0.00 of program income earned and not yet spent on "
        "01/19/2025."
    ]
    assert LedgerEntry.objects.count() == entries
    assert award_balances(income.award_a, as_of=date.max).program_income_spent == D("3250.50")


def test_income_already_spent_cannot_be_reversed_away(income):
    earned = LedgerEntry.objects.get(kind="program_income")
    with pytest.raises(ValidationError) as raised:
        reverse_entry(income, earned, effective_date=date(2025, 3, 1), today=date(2025, 3, 1))
    assert raised.value.messages == [
        "Reversing $5,000.00 would leave more program income spent than earned (only "
        "$1,749.50 is unspent)."
    ]
