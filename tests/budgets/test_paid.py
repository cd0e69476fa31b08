"""One meaning of "paid" (docs/rules/cash-and-ledger.md#paid): an expenditure's date paid
is its payment, a disbursement paying it, counted in 10b, cash on hand and excess cash on
that date; a later payment pays what is left; no dollar is counted out twice."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.urls import reverse

from budgets.balances import award_balances, excess_cash, unpaid
from budgets.models import LedgerEntry
from budgets.reconcile import reconcile_award
from budgets.services import LineInput, budget_version_create
from grants.audit import AuditEvent
from tests.budgets.ledger_helpers import activate, draw, post, reverse_entry

D = Decimal


@pytest.fixture
def active(program):
    """Award A, active, with a match budget in Personnel."""
    budget_version_create(
        actor=program.pm,
        award=program.award_a,
        approve=True,
        lines=[LineInput("A", D("120000.00"), D("50000.00")), LineInput("C", D("80000.00"))],
    )
    activate(program)
    program.award_a.refresh_from_db()
    return program


def balances(program, day=date.max):
    return award_balances(program.award_a, as_of=day)


def test_an_expenditure_with_a_date_paid_is_a_disbursement_on_that_date(active):
    draw(active, "40000.00")  # 2025-01-10
    spent = post(
        active, "expenditure", "30000.00", day=date(2025, 1, 12), paid_on=date(2025, 1, 15)
    )
    payment = LedgerEntry.objects.get(expenditure=spent)
    assert (payment.kind, payment.amount, payment.effective_date, payment.share) == (
        "disbursement",
        D("30000.00"),
        date(2025, 1, 15),
        "federal",
    )
    # Paid on the 15th, not before: 10b and cash on hand count it from that day.
    assert (
        balances(active, date(2025, 1, 14)).disbursed,
        balances(active, date(2025, 1, 14)).cash_on_hand,
    ) == (
        D("0.00"),
        D("40000.00"),
    )
    after = balances(active, date(2025, 1, 15))
    assert (after.disbursed, after.cash_on_hand, after.federal_expenditures) == (
        D("30000.00"),
        D("10000.00"),
        D("30000.00"),
    )
    # Worked example 7.6 with the payment typed once: $10,000 is excess after ten days.
    assert excess_cash(active.award_a, today=date(2025, 1, 19)) == D("0.00")
    assert excess_cash(active.award_a, today=date(2025, 1, 20)) == D("10000.00")
    assert unpaid(spent) == D("0.00")
    assert AuditEvent.objects.filter(action="budgets.ledger.disbursement_posted").count() == 1
    assert reconcile_award(active.award_a) == []


def test_a_paid_expenditure_cannot_be_paid_again(active):
    draw(active, "5000.00")
    spent = post(active, "expenditure", "1000.00", paid_on=date(2025, 1, 15))
    with pytest.raises(ValidationError) as raised:
        post(active, "disbursement", "1000.00", day=date(2025, 1, 16), expenditure=spent)
    assert raised.value.message_dict["amount"] == [
        "$1,000.00 is $1,000.00 more than the $0.00 not yet paid of that expenditure."
    ]
    assert balances(active).disbursed == D("1000.00")


def test_an_expenditure_is_paid_later_in_parts(active):
    spent = post(active, "expenditure", "1000.00", day=date(2025, 1, 15))
    assert balances(active).disbursed == D("0.00")  # incurred, not paid
    draw(active, "1000.00", day=date(2025, 2, 1))
    post(active, "disbursement", "600.00", day=date(2025, 2, 3), expenditure=spent)
    assert unpaid(spent) == D("400.00")
    with pytest.raises(ValidationError) as raised:
        post(active, "disbursement", "400.01", day=date(2025, 2, 4), expenditure=spent)
    assert raised.value.message_dict["amount"] == [
        "$400.01 is $0.01 more than the $400.00 not yet paid of that expenditure."
    ]
    post(active, "disbursement", "400.00", day=date(2025, 2, 4), expenditure=spent)
    b = balances(active)
    assert (b.disbursed, b.cash_on_hand, b.totals["federal_paid"]) == (
        D("1000.00"),
        D("0.00"),
        D("1000.00"),
    )
    assert reconcile_award(active.award_a) == []


def test_a_payment_not_of_one_expenditure_counts_as_cash_out_but_pays_nothing(active):
    draw(active, "5000.00")
    post(active, "expenditure", "1200.00", day=date(2025, 1, 12))
    post(active, "disbursement", "1200.00", day=date(2025, 1, 15), memo="Payroll run")
    b = balances(active)
    assert (b.disbursed, b.cash_on_hand, b.totals["federal_paid"]) == (
        D("1200.00"),
        D("3800.00"),
        D("0.00"),
    )


def test_a_date_paid_before_the_date_incurred_is_refused_and_writes_nothing(active):
    draw(active, "5000.00")
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "100.00", day=date(2025, 1, 15), paid_on=date(2025, 1, 14))
    assert raised.value.message_dict["paid_on"] == [
        "The date paid cannot be before the date incurred."
    ]
    assert not LedgerEntry.objects.filter(kind="expenditure").exists()


def test_a_payment_before_the_expenditure_is_refused(active):
    draw(active, "5000.00")
    spent = post(active, "expenditure", "100.00", day=date(2025, 1, 15))
    with pytest.raises(ValidationError) as raised:
        post(active, "disbursement", "100.00", day=date(2025, 1, 14), expenditure=spent)
    assert raised.value.message_dict["expenditure"] == [
        "That expenditure is dated 01/15/2025, after this disbursement; a disbursement pays "
        "only an earlier expenditure."
    ]


def test_paying_without_federal_cash_on_hand_is_refused_and_writes_nothing(active):
    draw(active, "250.00")
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "1000.00", day=date(2025, 1, 15), paid_on=date(2025, 1, 15))
    assert raised.value.message_dict["paid_on"] == [
        "Paying $1,000.00 on 01/15/2025 needs $750.00 more than the $250.00 of federal cash on "
        "hand. Leave the date paid blank, draw the cash, and record the payment when it is made."
    ]
    assert LedgerEntry.objects.filter(award=active.award_a).count() == 1  # the drawdown


def test_a_match_expenditure_paid_is_no_federal_disbursement(active):
    post(
        active,
        "expenditure",
        "500.00",
        day=date(2025, 1, 15),
        share="recipient",
        category="A",
        paid_on=date(2025, 1, 20),
    )
    b = balances(active)
    assert (b.disbursed, b.cash_on_hand, b.totals["recipient_paid"]) == (
        D("0.00"),
        D("0.00"),
        D("500.00"),
    )
    assert LedgerEntry.objects.get(kind="disbursement").share == "recipient"


def test_recipient_money_paid_out_must_pay_a_match_expenditure(active):
    with pytest.raises(IntegrityError, match="recipient_payment_pays_expenditure"):
        LedgerEntry.objects.create(
            award=active.award_a,
            kind="disbursement",
            share="recipient",
            amount=D("1.00"),
            effective_date=date(2025, 1, 15),
            actor=active.officer_a,
            idempotency_key="00000000-0000-0000-0000-000000000001",
        )


def test_a_paid_expenditure_is_reversed_after_its_payment(active):
    draw(active, "5000.00")
    spent = post(active, "expenditure", "1000.00", paid_on=date(2025, 1, 15))
    with pytest.raises(ValidationError) as raised:
        reverse_entry(active, spent, effective_date=date(2025, 1, 20), today=date(2025, 1, 20))
    assert raised.value.messages == [
        "Disbursements have paid this expenditure; reverse them first."
    ]
    payment = LedgerEntry.objects.get(expenditure=spent)
    reverse_entry(active, payment, effective_date=date(2025, 1, 20), today=date(2025, 1, 20))
    reverse_entry(active, spent, effective_date=date(2025, 1, 20), today=date(2025, 1, 20))
    b = balances(active)
    assert (b.disbursed, b.cash_on_hand, b.federal_expenditures) == (
        D("0.00"),
        D("5000.00"),
        D("0.00"),
    )
    assert reconcile_award(active.award_a) == []


def test_the_ledger_offers_to_record_the_payment_of_an_unpaid_expenditure(client, active):
    draw(active, "5000.00")
    spent = post(active, "expenditure", "1000.00", day=date(2025, 1, 15))
    client.force_login(active.officer_a)
    number = active.award_a.award_number
    page = client.get(reverse("budgets:award_ledger", args=[number])).content.decode()
    pay_url = reverse("budgets:entry_create", args=[number, "disbursement"])
    assert f"{pay_url}?expenditure={spent.pk}" in page
    form = client.get(pay_url, {"expenditure": spent.pk}).context["form"]
    assert form.initial["expenditure"] == spent and form["amount"].value() == D("1000.00")
    response = client.post(
        pay_url,
        {
            "effective_date": "2025-01-20",
            "amount": "1,000.00",
            "expenditure": spent.pk,
            "memo": "Check 1042",
            "idempotency_key": form.initial["idempotency_key"],
        },
    )
    assert response.status_code == 302
    assert unpaid(spent) == D("0.00")
    page = client.get(reverse("budgets:award_ledger", args=[number])).content.decode()
    assert f"{pay_url}?expenditure={spent.pk}" not in page
