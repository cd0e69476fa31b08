"""Interest earned on federal advances and its remittance
(docs/rules/cash-and-ledger.md#interest-on-advances)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import ledger
from budgets.interest import interest_by_year
from grants.models import RuleValue
from tests import factories
from tests.budgets.ledger_helpers import INTEREST_TODAY as TODAY
from tests.budgets.ledger_helpers import activate, earn, remit

D = Decimal


@pytest.fixture
def active(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def test_the_retained_allowance_is_a_dated_rule_value_with_its_source(db):
    rule = RuleValue.objects.get(key="interest_retained_per_year")
    assert (rule.value, rule.unit, rule.effective_from, rule.effective_to) == (
        D("500.0000"),
        "usd",
        date(2014, 12, 26),
        None,
    )
    assert "200.305(b)(9)" in rule.source and rule.evidence == "V"


def test_each_fiscal_year_shows_earned_retained_remitted_and_still_to_remit(active):
    """The recipient's year ends June 30; the $500 is per recipient, across its awards."""
    second = factories.make_award(
        active.pm, task_force=active.task_force_a, appropriation=active.appropriation
    )
    activate(active, second)
    assert second.recipient_id == active.award_a.recipient_id
    # FY ending 06/30/2025: $700 + $250 earned on two awards.
    earn(active, "700.00", date(2025, 3, 31))
    ledger.entry_post(
        actor=active.officer_a,
        award=second,
        kind="interest_earned",
        amount="250.00",
        effective_date=date(2025, 6, 30),
        idempotency_key=uuid.uuid4(),
        today=TODAY,
    )
    # FY ending 06/30/2026: $320 earned, and $300 of the first year's remitted in it.
    earn(active, "320.00", date(2025, 12, 31))
    remit(active, "300.00", date(2025, 8, 15))
    years = interest_by_year(active.award_a, as_of=TODAY)
    assert [
        (y.start, y.end, y.earned, y.may_retain, y.remitted, y.still_to_remit) for y in years
    ] == [
        (date(2024, 7, 1), date(2025, 6, 30), D("950.00"), D("500.00"), D("300.00"), D("150.00")),
        (date(2025, 7, 1), date(2026, 6, 30), D("320.00"), D("320.00"), D("0.00"), D("0.00")),
    ]
    # As of the first year's end nothing was remitted yet.
    [first] = interest_by_year(active.award_a, as_of=date(2025, 6, 30))
    assert (first.remitted, first.still_to_remit) == (D("0.00"), D("450.00"))


def test_the_award_and_ledger_pages_show_interest_by_year(active, client, pin_today):
    pin_today(TODAY)
    earn(active, "812.40", date(2025, 2, 28))
    remit(active, "312.40", date(2025, 8, 1))
    client.force_login(active.officer_a)
    for url in (
        reverse("budgets:award_ledger", args=[active.award_a.award_number]),
        active.award_a.get_absolute_url(),
    ):
        page = client.get(url).content.decode()
        table = page[page.index('data-testid="interest-by-year"') :]
        table = table[: table.index("</table>")]
        assert '<th scope="row" title="07/01/2024 – 06/30/2025">06/30/2025</th>' in table
        for amount in ("$812.40", "$500.00", "$312.40", "$0.00"):
            assert amount in table
