"""Spending follows the approved budget: federal money committed beyond a category's
budget is a transfer under the 10% rule (docs/rules/award-lifecycle-and-budgets.md#spending-beyond-a-category)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import ledger
from budgets.models import LedgerEntry
from budgets.overrun import transfers
from budgets.services import LineInput
from tests import factories
from tests.budgets.ledger_helpers import activate

D = Decimal
BEFORE_SAT_RISE, AFTER_SAT_RISE = date(2025, 9, 30), date(2025, 10, 1)


def award_of(program, amount, lines):
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount=amount,
        lines=[LineInput(code, D(federal)) for code, federal in lines],
    )
    activate(program, award)
    award.refresh_from_db()
    return award


def post(program, award, kind, amount, category, today=BEFORE_SAT_RISE, **fields):
    return ledger.entry_post(
        actor=program.officer_a,
        award=award,
        kind=kind,
        amount=D(amount),
        category=category,
        effective_date=date(2025, 1, 15),
        idempotency_key=uuid.uuid4(),
        today=today,
        **fields,
    )


@pytest.fixture
def big(program):
    """$500,000, above the simplified acquisition threshold: $50,000 may move. Equipment
    has $100, as in the case that started this rule."""
    return award_of(program, "500000.00", [("A", "300000.00"), ("C", "199900.00"), ("D", "100.00")])


def test_spending_over_a_category_within_the_transfer_limit_is_allowed_and_shown(program, big):
    post(program, big, "expenditure", "50100.00", "D")  # $50,000.00 over: exactly 10%
    found = transfers(big, on=BEFORE_SAT_RISE)
    assert (found.over, found.transfer, found.limit, found.exceeded) == (
        {"D": D("50000.00")},
        D("50000.00"),
        D("50000.00"),
        False,
    )


def test_one_cent_beyond_the_transfer_limit_is_refused_and_writes_nothing(program, big):
    post(program, big, "expenditure", "50100.00", "D")
    entries = LedgerEntry.objects.filter(award=big).count()
    with pytest.raises(ValidationError) as raised:
        post(program, big, "expenditure", "0.01", "D")
    assert raised.value.message_dict["amount"] == [
        "$0.01 would take D. Equipment $50,000.01 over its approved federal budget of $100.00. "
        "Spending beyond a category's budget moves money between categories: $50,000.01 would "
        "have moved since the last approved budget, more than the $50,000.00 (10% of the "
        "award) that may move without prior approval. Propose a budget modification first."
    ]
    assert LedgerEntry.objects.filter(award=big).count() == entries


def test_the_case_that_started_it_400000_of_equipment_on_a_100_budget(program, big):
    with pytest.raises(ValidationError) as raised:
        post(program, big, "expenditure", "400000.00", "D")
    assert "$399,900.00 over its approved federal budget of $100.00" in str(raised.value)


def test_obligations_count_as_committed_and_overruns_add_up_across_categories(program, big):
    post(program, big, "obligation", "30100.00", "D")  # $30,000 over in D
    post(program, big, "expenditure", "219900.00", "C")  # $20,000 over in C: $50,000 in all
    with pytest.raises(ValidationError):
        post(program, big, "obligation", "0.01", "C")
    # Paying the obligation adds nothing to what is committed in Equipment.
    obligation = LedgerEntry.objects.get(award=big, kind="obligation")
    post(program, big, "expenditure", "30100.00", "D", obligation=obligation)


def test_below_the_threshold_an_overrun_needs_no_prior_approval(program):
    small = award_of(program, "200000.00", [("A", "199900.00"), ("D", "100.00")])
    post(program, small, "expenditure", "150000.00", "D")
    assert transfers(small, on=BEFORE_SAT_RISE).over == {"D": D("149900.00")}


def test_the_threshold_in_force_on_the_day_decides(program):
    """$300,000 is above the $250,000 threshold until 2025-09-30 and below the $350,000
    one from 2025-10-01."""
    award = award_of(program, "300000.00", [("A", "299900.00"), ("D", "100.00")])
    with pytest.raises(ValidationError):
        post(program, award, "expenditure", "30100.01", "D", today=BEFORE_SAT_RISE)
    post(program, award, "expenditure", "30100.01", "D", today=AFTER_SAT_RISE)


def test_the_ledger_form_points_to_a_budget_modification(client, program, big):
    post(program, big, "expenditure", "50100.00", "D")
    client.force_login(program.officer_a)
    url = reverse("budgets:entry_create", args=[big.award_number, "expenditure"])
    form = client.get(url).context["form"]
    response = client.post(
        url,
        {
            "effective_date": "2025-01-15",
            "amount": "1.00",
            "category": "D",
            "share": "federal",
            "idempotency_key": form.initial["idempotency_key"],
        },
    )
    page = response.content.decode()
    assert "Propose a budget modification first." in page
    assert reverse("modifications:propose", args=[big.award_number]) in page


def test_the_ledger_page_shows_the_overrun_and_categories_ahead_of_time(client, program, big):
    post(program, big, "expenditure", "30100.00", "D")
    client.force_login(program.auditor)
    page = client.get(reverse("budgets:award_ledger", args=[big.award_number])).content.decode()
    assert "Committed beyond the approved budget:\n  D. Equipment $30,000.00." in page
    assert "$30,000.00 has moved between categories, of the $50,000.00 that may move" in page
    assert "30100.0%, ahead of time" in page
