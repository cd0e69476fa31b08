import uuid
from datetime import date
from decimal import Decimal

import pgtrigger
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from budgets import ledger, reconcile
from budgets.balances import (
    award_balances,
    awards_with_excess_cash,
    budget_versus_actual,
    excess_cash,
)
from budgets.models import DrawdownRequest, LedgerEntry
from budgets.services import LineInput, budget_version_create
from grants.audit import AuditEvent
from grants.models import Award
from grants.services import hold_lift, hold_place
from reports.sf425 import compute_sf425
from tests.budgets.ledger_helpers import (
    INTEREST_TODAY,
    activate,
    draw,
    earn,
    post,
    remit,
    reverse_entry,
    second_approver,
)

D = Decimal


@pytest.fixture
def active(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def test_balances_follow_the_sf425_lines(program):
    budget_version_create(
        actor=program.pm,
        award=program.award_a,
        approve=True,
        lines=[LineInput("A", D("120000.00"), D("50000.00")), LineInput("C", D("80000.00"))],
    )
    activate(program)
    program.award_a.refresh_from_db()
    active = program
    draw(active, "50000.00")
    post(active, "disbursement", "38500.00")
    ob = post(active, "obligation", "20000.00")
    post(active, "expenditure", "30000.00")
    post(active, "expenditure", "5000.00", obligation=ob)
    post(active, "expenditure", "12000.00", category="A", share="recipient")
    b = award_balances(active.award_a, as_of=date.max)
    assert (b.authorized, b.drawn, b.disbursed, b.cash_on_hand) == (
        D("200000.00"),
        D("50000.00"),
        D("38500.00"),
        D("11500.00"),
    )
    assert (b.federal_expenditures, b.unliquidated, b.total_federal_share, b.unobligated) == (
        D("35000.00"),
        D("15000.00"),
        D("50000.00"),
        D("150000.00"),
    )
    assert b.recipient_expenditures == D("12000.00")
    assert b.available_to_draw == D("150000.00")


def test_drawdown_one_cent_over_available_is_refused(active):
    draw(active, "199999.99", paid=False)
    with pytest.raises(ValidationError) as raised:
        draw(active, "0.02")
    assert raised.value.message_dict["amount"] == [
        "$0.02 is $0.01 more than the $0.01 available to draw."
    ]
    assert DrawdownRequest.objects.count() == 1
    draw(active, "0.01", paid=False)
    assert award_balances(active.award_a, as_of=date.max).available_to_draw == D("0.00")


def test_drawdown_refused_on_hold_with_its_reason(active):
    hold = hold_place(
        actor=active.pm, award=active.award_a, reason="Equipment inventory not provided"
    )
    with pytest.raises(
        ValidationError,
        match="Drawdowns are on hold for award 15PJDP-25-GK-00001-MECP: Equipment inventory not provided.",
    ):
        draw(active, "10.00")
    hold_lift(actor=active.pm, hold=hold, reason="Received")
    assert draw(active, "10.00").status == "paid"


def test_requester_never_approves_even_with_both_roles(active):
    from django.contrib.auth.models import Group

    active.award_a.drawdowns_need_approval = True
    active.award_a.save(update_fields=["drawdowns_need_approval"])
    active.officer_a.groups.add(Group.objects.get(name="Financial approver"))
    active.officer_a._icac_groups = None
    request = draw(active, "100.00", paid=False)
    assert request.status == "requested"
    with pytest.raises(PermissionDenied, match="requested a drawdown cannot approve"):
        ledger.drawdown_approve(actor=active.officer_a, request=request)
    violation = AuditEvent.objects.get(action="budgets.drawdown.sod_violation")
    assert (violation.actor, violation.data) == (
        active.officer_a,
        {
            "attempted": "approve",
            "award": "15PJDP-25-GK-00001-MECP",
            "refused": {
                "": ["The person who requested a drawdown cannot approve, reject or pay it."]
            },
            "refused_as": "not permitted",
        },
    )
    approved = ledger.drawdown_approve(
        actor=active.approver, request=request, today=date(2025, 1, 10)
    )
    assert approved.status == "approved" and approved.decided_by == active.approver
    # The check constraint, not the trigger that keeps decisions final (PostgreSQL).
    with (
        pgtrigger.ignore("budgets.DrawdownRequest:drawdown_decision_final"),
        pytest.raises(IntegrityError),
        transaction.atomic(),
    ):
        DrawdownRequest.objects.filter(pk=request.pk).update(decided_by=active.officer_a)


def test_rejected_drawdown_frees_its_amount(active):
    active.award_a.drawdowns_need_approval = True
    active.award_a.save(update_fields=["drawdowns_need_approval"])
    request = draw(active, "200000.00", paid=False)
    assert award_balances(active.award_a, as_of=date.max).available_to_draw == D("0.00")
    with pytest.raises(ValidationError, match="Say why"):
        ledger.drawdown_reject(actor=active.approver, request=request, note="")
    ledger.drawdown_reject(
        actor=active.approver, request=request, note="Cash not needed within 10 days"
    )
    assert award_balances(active.award_a, as_of=date.max).available_to_draw == D("200000.00")


def test_an_approved_drawdown_not_yet_paid_may_be_rejected(active):
    """The queue offers Reject on an approved request until it is paid; on PostgreSQL the
    trigger that keeps decisions final lets that one change through, and no other."""
    active.award_a.drawdowns_need_approval = True
    active.award_a.save(update_fields=["drawdowns_need_approval"])
    request = draw(active, "200000.00", paid=False)
    approved = ledger.drawdown_approve(
        actor=second_approver(), request=request, today=date(2025, 1, 10)
    )
    assert approved.status == "approved"
    assert award_balances(active.award_a, as_of=date.max).available_to_draw == D("0.00")
    rejected = ledger.drawdown_reject(
        actor=active.approver, request=approved, note="The recipient withdrew the request"
    )
    assert (rejected.status, rejected.decided_by, rejected.decision_note) == (
        "rejected",
        active.approver,
        "The recipient withdrew the request",
    )
    assert award_balances(active.award_a, as_of=date.max).available_to_draw == D("200000.00")
    with pytest.raises(ValidationError, match="This drawdown is rejected."):
        ledger.drawdown_approve(actor=second_approver(), request=rejected)
    assert DrawdownRequest.objects.get(pk=request.pk).status == "rejected"


def test_spending_outside_the_period_or_budget_is_refused(active):
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "10.00", day=date(2024, 9, 30))
    assert raised.value.message_dict["effective_date"] == [
        "09/30/2024 is before the period of performance starts (10/01/2024)."
    ]
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "10.00", category="D")
    assert raised.value.message_dict["category"] == [
        "D. Equipment has no approved federal budget on this award."
    ]
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "10.00", day=date(2025, 6, 2), today=date(2025, 6, 1))
    assert raised.value.message_dict["effective_date"] == ["06/02/2025 is in the future."]


@pytest.mark.parametrize(
    "amount, message",
    [
        ("0", "The amount must be greater than zero."),
        ("-5.00", "The amount must be greater than zero."),
        ("1.001", "1.001 has more than 2 decimal places."),
        ("NaN", "'NaN' is not a finite amount."),
        (
            "1e20",
            "'1e20' is not a number: write digits with an optional $ and thousands commas, such as $1,234.56.",
        ),
        (
            "1000000000000",
            "1000000000000 is larger than the largest amount allowed, 999,999,999,999.99.",
        ),
    ],
)
def test_bad_amounts_write_nothing(active, amount, message):
    before = LedgerEntry.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", amount)
    assert raised.value.message_dict["amount"] == [message]
    # Nothing is written but the refusal's own event (grants.refusals).
    assert (LedgerEntry.objects.count(), AuditEvent.objects.count() - 1) == before
    refusal = AuditEvent.objects.first()
    assert (refusal.action, refusal.data["refused"]) == (
        "budgets.ledger_entry.refused",
        {"amount": [message]},
    )


def test_federal_spending_cannot_pass_authorized(active):
    post(active, "obligation", "150000.00")
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "50000.01")
    assert raised.value.message_dict["amount"] == [
        "$50,000.01 is $0.01 more than the $50,000.00 of federal funds not yet spent or obligated."
    ]


def test_reversal_once_and_never_of_a_reversal(active):
    entry = post(active, "expenditure", "100.00")
    reversal = reverse_entry(active, entry, "Wrong award")
    assert award_balances(active.award_a, as_of=date.max).federal_expenditures == D("0.00")
    with pytest.raises(ValidationError, match="already reversed"):
        reverse_entry(active, entry, "again")
    with pytest.raises(ValidationError, match="cannot itself be reversed"):
        reverse_entry(active, reversal, "undo")
    with pytest.raises(IntegrityError), transaction.atomic():
        LedgerEntry.objects.create(
            award=entry.award,
            kind=entry.kind,
            category="A",
            amount=D("100.00"),
            effective_date=entry.effective_date,
            actor=active.officer_a,
            idempotency_key=uuid.uuid4(),
            reverses=entry,
        )


def test_double_submit_records_one_entry(active):
    key = uuid.uuid4()
    kwargs = dict(
        actor=active.officer_a,
        award=active.award_a,
        kind="expenditure",
        amount=D("10.00"),
        effective_date=date(2025, 1, 15),
        category="A",
        idempotency_key=key,
    )
    first = ledger.entry_post(**kwargs)
    assert ledger.entry_post(**kwargs) == first
    with pytest.raises(ledger.IdempotencyConflict):
        ledger.entry_post(**{**kwargs, "amount": D("11.00")})
    assert LedgerEntry.objects.count() == 1


def test_other_task_force_cannot_post(active):
    with pytest.raises(PermissionDenied):
        ledger.entry_post(
            actor=active.officer_b,
            award=active.award_a,
            kind="expenditure",
            amount=D("1.00"),
            effective_date=date(2025, 1, 15),
            category="A",
            idempotency_key=uuid.uuid4(),
        )


def test_balances_as_of_a_past_date(active):
    post(active, "expenditure", "100.00", day=date(2025, 1, 15))
    entry = post(active, "expenditure", "50.00", day=date(2025, 2, 15))
    reverse_entry(active, entry, "duplicate", effective_date=date(2025, 3, 1))
    spent = lambda day: award_balances(active.award_a, as_of=day).federal_expenditures  # noqa: E731
    assert [
        spent(date(2025, 1, 14)),
        spent(date(2025, 1, 31)),
        spent(date(2025, 2, 20)),
        spent(date(2025, 3, 1)),
    ] == [D("0.00"), D("100.00"), D("150.00"), D("100.00")]


def test_excess_cash_after_ten_days(active):
    draw(active, "40000.00")  # paid 2025-01-10
    post(active, "disbursement", "30000.00", day=date(2025, 1, 15))
    assert excess_cash(active.award_a, today=date(2025, 1, 19)) == D("0.00")
    assert excess_cash(active.award_a, today=date(2025, 1, 20)) == D("10000.00")
    post(active, "disbursement", "4000.00", day=date(2025, 1, 25))
    # A disbursement dated after the day asked about does not count on it.
    assert excess_cash(active.award_a, today=date(2025, 1, 20)) == D("10000.00")
    assert excess_cash(active.award_a, today=date(2025, 1, 25)) == D("6000.00")
    assert awards_with_excess_cash(
        Award.objects.filter(pk__in=[active.award_a.pk, active.award_b.pk]),
        today=date(2025, 1, 25),
    ) == [(active.award_a, D("6000.00"))]


def test_budget_versus_actual(active):
    post(active, "expenditure", "30000.00", category="A")
    rows = {r.category: r for r in budget_versus_actual(active.award_a, as_of=date.max)}
    assert rows["A"].budget_federal == D("120000.00") and rows["A"].spent_federal == D("30000.00")
    assert rows["A"].share_spent == D("25.0") and rows["C"].remaining_federal == D("80000.00")


def test_no_drawdown_after_the_liquidation_period(active):
    # Period ends 09/30/2026; 120 days later is 01/28/2027.
    assert draw(active, "10.00", day=date(2027, 1, 28)).status == "paid"
    with pytest.raises(ValidationError) as raised:
        draw(active, "10.00", day=date(2027, 1, 29))
    assert raised.value.messages == [
        "The liquidation period of award 15PJDP-25-GK-00001-MECP ended on 01/28/2027; no more cash can be drawn."
    ]


def test_obligations_are_paid_no_further_than_owed(active):
    obligation = post(active, "obligation", "1000.00", category="A")
    post(active, "expenditure", "600.00", obligation=obligation)
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "400.01", obligation=obligation)
    assert raised.value.message_dict["amount"] == [
        "$400.01 is $0.01 more than the $400.00 still owed on that obligation."
    ]
    with pytest.raises(ValidationError, match="reverse them first"):
        reverse_entry(active, obligation, "x")


def test_back_dated_obligation_must_fit_every_later_day(active):
    # $150,000 obligated in January and cancelled in March: today $200,000 is unobligated,
    # but in February only $50,000 was, so a $50,000.01 obligation dated February is refused.
    first = post(active, "obligation", "150000.00", day=date(2025, 1, 15))
    reverse_entry(active, first, "Contract cancelled", effective_date=date(2025, 3, 1))
    assert award_balances(active.award_a, as_of=date.max).unobligated == D("200000.00")
    with pytest.raises(ValidationError) as raised:
        post(active, "obligation", "50000.01", day=date(2025, 2, 1))
    assert raised.value.message_dict["amount"] == [
        "$50,000.01 is $0.01 more than the $50,000.00 of federal funds not yet spent or "
        "obligated on 02/01/2025."
    ]
    post(active, "obligation", "50000.00", day=date(2025, 2, 1))
    assert award_balances(active.award_a, as_of=date(2025, 2, 1)).unobligated == D("0.00")
    assert LedgerEntry.objects.filter(kind="obligation").count() == 3


def test_back_dated_disbursement_cannot_spend_cash_not_yet_drawn(active):
    draw(active, "1000.00", day=date(2025, 3, 10))
    with pytest.raises(ValidationError) as raised:
        post(active, "disbursement", "0.01", day=date(2025, 3, 9))
    assert raised.value.message_dict["amount"] == [
        "$0.01 is $0.01 more than the $0.00 of federal cash on hand on 03/09/2025."
    ]
    post(active, "disbursement", "1000.00", day=date(2025, 3, 10))
    assert award_balances(active.award_a, as_of=date.max).cash_on_hand == D("0.00")


def test_returning_cash_already_spent_later_is_refused(active):
    payment = draw(active, "1000.00", day=date(2025, 3, 10)).ledger_entry
    post(active, "disbursement", "600.00", day=date(2025, 4, 1))
    with pytest.raises(ValidationError) as raised:
        reverse_entry(active, payment, "Returned to Treasury", effective_date=date(2025, 3, 20))
    assert raised.value.messages == [
        "Returning $1,000.00 would leave cash on hand below zero (only $400.00 is on hand)."
    ]
    assert not LedgerEntry.objects.filter(reverses=payment).exists()


def test_an_expenditure_pays_only_an_earlier_obligation(active):
    obligation = post(active, "obligation", "1000.00", day=date(2025, 2, 1))
    with pytest.raises(ValidationError) as raised:
        post(active, "expenditure", "100.00", day=date(2025, 1, 31), obligation=obligation)
    assert raised.value.message_dict["obligation"] == [
        "That obligation is dated 02/01/2025, after this expenditure; an expenditure pays "
        "only an earlier obligation."
    ]
    assert post(active, "expenditure", "100.00", day=date(2025, 2, 1), obligation=obligation)


def test_a_reversal_cannot_be_dated_in_the_future(active):
    entry = post(active, "expenditure", "100.00", day=date(2025, 1, 15))
    with pytest.raises(ValidationError) as raised:
        reverse_entry(
            active,
            entry,
            "Wrong category",
            effective_date=date(2025, 2, 2),
            today=date(2025, 2, 1),
        )
    assert raised.value.message_dict["effective_date"] == ["02/02/2025 is in the future."]
    assert not LedgerEntry.objects.filter(reverses=entry).exists()


def test_no_approval_after_the_liquidation_period(active):
    active.award_a.drawdowns_need_approval = True
    active.award_a.save(update_fields=["drawdowns_need_approval"])
    request = draw(active, "10.00", paid=False, day=date(2027, 1, 28))
    with pytest.raises(ValidationError, match="ended on 01/28/2027"):
        ledger.drawdown_approve(actor=active.approver, request=request, today=date(2027, 1, 29))
    request.refresh_from_db()
    assert request.status == "requested"
    approved = ledger.drawdown_approve(
        actor=active.approver, request=request, today=date(2027, 1, 28)
    )
    assert approved.status == "approved"


def test_worked_example_7_6_a_partial_return_of_excess_cash(active):
    """$40,000 drawn, $30,000 disbursed: $10,000 is excess after ten days. Returning
    $4,000.50 of it lowers 10a and cash on hand, and the excess, by exactly that."""
    draw(active, "40000.00")  # paid 2025-01-10
    post(active, "disbursement", "30000.00", day=date(2025, 1, 15))
    assert excess_cash(active.award_a, today=date(2025, 1, 20)) == D("10000.00")

    returned = post(
        active, "cash_returned", "4000.50", day=date(2025, 1, 20), memo="Excess over 10 days"
    )
    assert (returned.kind, returned.category, returned.share) == ("cash_returned", "", "federal")
    after = award_balances(active.award_a, as_of=date(2025, 1, 20))
    assert (after.drawn, after.cash_on_hand) == (D("35999.50"), D("5999.50"))
    assert after.available_to_draw == D("164000.50")  # of $200,000 authorized
    assert excess_cash(active.award_a, today=date(2025, 1, 20)) == D("5999.50")
    # The day before the return, the cash was still held.
    assert award_balances(active.award_a, as_of=date(2025, 1, 19)).cash_on_hand == D("10000.00")


def test_a_return_counts_against_the_oldest_cash_held(active):
    """Cash goes out oldest first: $500 returned the day after a new $500 draw still
    comes off the $1,000 held for weeks, leaving $500 of it in excess (and none of the
    new draw, which is not yet ten days old)."""
    draw(active, "1000.00")  # 2025-01-10: excess from 2025-01-20
    draw(active, "500.00", day=date(2025, 1, 24))
    post(active, "cash_returned", "500.00", day=date(2025, 1, 25), memo="Drawn twice")
    assert excess_cash(active.award_a, today=date(2025, 1, 25)) == D("500.00")


def test_returning_more_than_cash_on_hand_is_refused_and_writes_nothing(active):
    draw(active, "1000.00")
    post(active, "disbursement", "800.00", day=date(2025, 1, 15))
    entries = LedgerEntry.objects.count()
    with pytest.raises(ValidationError) as raised:
        post(active, "cash_returned", "200.01", day=date(2025, 1, 16), memo="Unused")
    assert raised.value.message_dict["amount"] == [
        "$200.01 is $0.01 more than the $200.00 of federal cash on hand."
    ]
    with pytest.raises(ValidationError) as raised:
        post(active, "cash_returned", "50.00", day=date(2025, 1, 16), memo="  ")
    assert raised.value.message_dict["memo"] == ["Say why: a cash returned entry needs a reason."]
    assert LedgerEntry.objects.count() == entries


# --- Interest on advances (docs/rules/cash-and-ledger.md#interest-on-advances) ----------


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
        reverse_entry(active, earned, effective_date=date(2025, 3, 20), today=INTEREST_TODAY)
    assert refused.value.messages == [
        "Reversing $600.00 of interest earned would leave more remitted than earned (only "
        "$400.00 is earned and not remitted)."
    ]
    assert not LedgerEntry.objects.filter(reverses=earned).exists()
