"""Interest earned on federal advances and its remittance
(docs/rules/cash-and-ledger.md#interest-on-advances)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets import ledger, reconcile
from budgets.balances import award_balances
from budgets.interest import interest_by_year
from budgets.models import LedgerEntry
from grants.audit import AuditEvent
from grants.models import RuleValue
from reports.sf425 import compute_sf425
from tests import factories
from tests.budgets.ledger_helpers import activate, draw, post, reverse_entry

D = Decimal
TODAY = date(2026, 12, 31)  # inside the liquidation period (ends 01/28/2027)


@pytest.fixture
def active(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def earn(program, amount, day, **fields):
    fields.setdefault("today", TODAY)
    return post(program, "interest_earned", amount, day, **fields)


def remit(program, amount, day, memo="Remitted to the Treasury, ACH trace 0421", **fields):
    fields.setdefault("today", TODAY)
    return post(program, "interest_remitted", amount, day, memo=memo, **fields)


def test_the_retained_allowance_is_a_dated_rule_value_with_its_source(db):
    rule = RuleValue.objects.get(key="interest_retained_per_year")
    assert (rule.value, rule.unit, rule.effective_from, rule.effective_to) == (
        D("500.0000"),
        "usd",
        date(2014, 12, 26),
        None,
    )
    assert "200.305(b)(9)" in rule.source and rule.evidence == "V"


def test_interest_is_recorded_without_a_category_and_not_on_any_sf425_line(active):
    draw(active, "20000.00")
    before = compute_sf425(active.award_a, period_end=date(2025, 3, 31), is_final=False).lines
    earned = earn(active, "812.40", date(2025, 2, 28))
    remitted = remit(active, "312.40", date(2025, 3, 15))
    assert (earned.category, earned.share, remitted.memo) == (
        "",
        "federal",
        "Remitted to the Treasury, ACH trace 0421",
    )
    after = compute_sf425(active.award_a, period_end=date(2025, 3, 31), is_final=False).lines
    assert after == before
    b = award_balances(active.award_a, as_of=date(2025, 3, 31))
    assert (b.totals["interest_earned"], b.totals["interest_remitted"]) == (
        D("812.40"),
        D("312.40"),
    )
    assert (b.drawn, b.cash_on_hand) == (D("20000.00"), D("20000.00"))
    assert reconcile.reconcile_award(active.award_a) == []
    assert AuditEvent.objects.filter(action="budgets.ledger.interest_remitted_posted").count() == 1


def test_no_more_interest_is_remitted_than_was_earned_and_the_refusal_writes_nothing(active):
    earn(active, "300.00", date(2025, 2, 28))
    count = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as refused:
        remit(active, "300.01", date(2025, 3, 15))
    assert refused.value.message_dict["amount"] == [
        "$300.01 is $0.01 more than the $300.00 of interest earned and not yet remitted."
    ]
    # Back-dated before the interest was earned, nothing was there to remit.
    with pytest.raises(ValidationError) as refused:
        remit(active, "10.00", date(2025, 2, 27))
    assert refused.value.message_dict["amount"] == [
        "$10.00 is $10.00 more than the $0.00 of interest earned and not yet remitted "
        "on 02/27/2025."
    ]
    assert LedgerEntry.objects.count() == count
    remit(active, "300.00", date(2025, 3, 15))


def test_a_remittance_needs_a_reason_or_reference(active):
    earn(active, "100.00", date(2025, 2, 28))
    with pytest.raises(ValidationError) as refused:
        remit(active, "50.00", date(2025, 3, 15), memo="  ")
    assert refused.value.message_dict["memo"] == [
        "Say why: an interest remitted entry needs a reason."
    ]
    assert not LedgerEntry.objects.filter(kind="interest_remitted").exists()


def test_interest_may_be_dated_to_the_end_of_the_liquidation_period(active):
    earn(active, "40.00", date(2027, 1, 28), today=date(2027, 1, 28))
    with pytest.raises(ValidationError) as refused:
        earn(active, "40.00", date(2027, 1, 29), today=date(2027, 1, 29))
    assert refused.value.message_dict["effective_date"] == [
        "01/29/2027 is after the liquidation period ends (01/28/2027)."
    ]


def test_reversing_interest_earned_is_refused_when_it_was_remitted(active):
    earned = earn(active, "600.00", date(2025, 2, 28))
    remit(active, "200.00", date(2025, 3, 15))
    with pytest.raises(ValidationError) as refused:
        reverse_entry(active, earned, effective_date=date(2025, 3, 20), today=TODAY)
    assert refused.value.messages == [
        "Reversing $600.00 of interest earned would leave more remitted than earned (only "
        "$400.00 is earned and not remitted)."
    ]
    assert not LedgerEntry.objects.filter(reverses=earned).exists()


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
