"""Cash at the moment of a drawdown request (docs/rules/cash-and-ledger.md#cash-need): a
request within the award's immediate need is approved at once; one above it, or made
while the award holds excess cash, waits for a financial approver with its reasons; cash
held past the period places a hold on the award that lifts itself once the cash is gone
(docs/rules/cash-and-ledger.md#excess-cash-hold)."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse

from budgets import ledger
from budgets.balances import excess_cash
from budgets.cash_holds import sync_excess_cash_holds
from budgets.models import DrawdownRequest
from grants import access
from grants.audit import AuditEvent
from grants.models import Hold, Membership
from grants.services import hold_place_by_system
from reports.reminders import send_reminders
from tests import factories
from tests.budgets.ledger_helpers import activate, draw, post, reverse_entry

D = Decimal
HOLD_REASON = "$10,000.00 of cash drawn more than 10 days ago is not disbursed or returned"
LIFT_REASON = "The cash drawn more than 10 days ago has been disbursed or returned"
EXCESS_REASON = (
    "The award holds $10,000.00 of cash drawn more than 10 days ago and not disbursed or returned."
)


@pytest.fixture
def active(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def request_cash(program, amount, day, *, actor=None):
    return ledger.drawdown_request(
        actor=actor or program.officer_a,
        award=program.award_a,
        amount=D(amount),
        idempotency_key=uuid.uuid4(),
        today=day,
    )


@pytest.fixture
def spending(active):
    """$30,000 spent ($21,000 in January, $9,000 in June), $20,000 drawn and passed on.
    On 06/30/2025: $10,000.00 spent and not drawn for, and $9,000 spent in the last 90
    days, so $1,000.00 expected over the next 10: the immediate need is $11,000.00."""
    post(active, "expenditure", "21000.00", day=date(2025, 1, 15))
    draw(active, "20000.00", day=date(2025, 1, 20))
    post(active, "disbursement", "20000.00", day=date(2025, 1, 25))
    post(active, "expenditure", "9000.00", day=date(2025, 6, 1))
    return active


def test_a_request_within_the_immediate_need_is_approved_at_once(spending):
    request = request_cash(spending, "11000.00", date(2025, 6, 30))
    assert request.status == DrawdownRequest.Status.APPROVED
    assert request.review_reasons == []
    assert request.decision_note == "Approved automatically (within the award's immediate need)"


def test_a_request_while_program_income_is_unspent_waits_for_an_approver(spending):
    post(spending, "program_income", "1500.00", day=date(2025, 6, 2), memo="Training fees")
    post(spending, "program_income_spent", "1000.00", day=date(2025, 6, 3), memo="Licences")
    request = request_cash(spending, "11000.00", date(2025, 6, 30))
    assert request.status == DrawdownRequest.Status.REQUESTED
    assert request.review_reasons == [
        "The award holds $500.00 of program income not yet spent; program income is spent "
        "before more federal cash is drawn."
    ]
    # Once it is spent, that reason is gone (the pending request still counts against
    # the need, so a new one waits for that reason only).
    post(spending, "program_income_spent", "500.00", day=date(2025, 6, 30), memo="Licences")
    later = request_cash(spending, "1.00", date(2025, 6, 30))
    assert [reason for reason in later.review_reasons if "program income" in reason] == []


def test_a_request_above_the_need_waits_for_an_approver_with_the_reason(spending):
    request = request_cash(spending, "12000.00", date(2025, 6, 30))
    assert request.status == DrawdownRequest.Status.REQUESTED and request.decided_at is None
    reason = (
        "$12,000.00 is $1,000.00 more than the immediate need of $11,000.00 (federal "
        "expenditures not yet covered by cash drawn $10,000.00, plus 10 days of spending at "
        "the average of the last 90 days $1,000.00)."
    )
    assert request.review_reasons == [reason]
    event = AuditEvent.objects.get(action="budgets.drawdown.requested", object_id=str(request.pk))
    assert (
        event.data["after"]["review_reasons"] == [reason]
        and event.data["after"]["status"] == "requested"
    )


def test_cash_already_requested_counts_against_the_need(spending):
    """A second advance for the same days is not approved at once: the first one's
    $11,000.00, approved and not yet paid, covers the whole need."""
    request_cash(spending, "11000.00", date(2025, 6, 30))
    second = request_cash(spending, "1.00", date(2025, 6, 30))
    assert second.status == DrawdownRequest.Status.REQUESTED
    assert second.review_reasons == [
        "$1.00 is $1.00 more than the immediate need of $0.00 (federal expenditures not yet "
        "covered by cash drawn $10,000.00, plus 10 days of spending at the average of the last "
        "90 days $1,000.00, less cash drawn or requested and not yet spent $11,000.00)."
    ]


def test_an_award_that_requires_approval_says_so(spending):
    spending.award_a.drawdowns_need_approval = True
    spending.award_a.save(update_fields=["drawdowns_need_approval"])
    request = request_cash(spending, "100.00", date(2025, 6, 30))
    assert request.status == DrawdownRequest.Status.REQUESTED
    assert request.review_reasons == ["The award requires approval of every drawdown."]


@pytest.fixture
def excess(active):
    """Worked example 7.6: $40,000 drawn on day 0 (01/10/2025), $30,000 disbursed by day
    10: from 01/20/2025, $10,000 is excess."""
    draw(active, "40000.00", day=date(2025, 1, 10))
    post(active, "disbursement", "30000.00", day=date(2025, 1, 15))
    post(active, "expenditure", "30000.00", day=date(2025, 1, 15))
    return active


def test_a_request_while_holding_excess_cash_waits_for_an_approver(excess):
    request = request_cash(excess, "500.00", date(2025, 1, 20))
    assert request.status == DrawdownRequest.Status.REQUESTED
    assert request.review_reasons[0] == EXCESS_REASON


def test_a_request_the_day_before_the_cash_is_ten_days_old_does_not_name_excess(excess):
    request = request_cash(excess, "500.00", date(2025, 1, 19))
    assert EXCESS_REASON not in request.review_reasons


def active_holds(program):
    return list(Hold.objects.filter(award=program.award_a, lifted_at__isnull=True))


def test_excess_cash_places_one_hold_naming_the_amount(excess):
    assert sync_excess_cash_holds(today=date(2025, 1, 19)).placed == []
    placed = sync_excess_cash_holds(today=date(2025, 1, 20)).placed
    assert [(h.award, h.reason, h.cause, h.placed_by) for h in placed] == [
        (excess.award_a, HOLD_REASON, Hold.Cause.EXCESS_CASH, None)
    ]
    assert AuditEvent.objects.filter(action="grants.hold.placed", object_id=str(placed[0].pk))
    # Not duplicated while it stands, whatever the amount is by then.
    assert sync_excess_cash_holds(today=date(2025, 1, 21)).placed == []
    assert len(active_holds(excess)) == 1
    # And while it stands, no cash is drawn.
    with pytest.raises(ValidationError, match=r"on hold .*\$10,000\.00 of cash drawn"):
        request_cash(excess, "500.00", date(2025, 1, 21))


def test_a_partial_return_leaves_the_hold_and_disbursing_the_rest_lifts_it(excess):
    [hold] = sync_excess_cash_holds(today=date(2025, 1, 20)).placed
    post(excess, "cash_returned", "4000.00", day=date(2025, 1, 21), memo="Part of the excess")
    hold.refresh_from_db()
    assert hold.lifted_at is None and excess_cash(excess.award_a, today=date(2025, 1, 21)) == D(
        "6000.00"
    )
    post(excess, "disbursement", "6000.00", day=date(2025, 1, 22), today=date(2025, 1, 22))
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lifted_by is None
    assert hold.lift_reason == LIFT_REASON
    event = AuditEvent.objects.get(action="grants.hold.lifted", object_id=str(hold.pk))
    assert event.data["after"]["lift_reason"] == LIFT_REASON
    assert active_holds(excess) == []
    # Cash flows again.
    assert request_cash(excess, "500.00", date(2025, 1, 22)).status in DrawdownRequest.OPEN
    assert sync_excess_cash_holds(today=date(2025, 1, 23)).placed == []


def test_returning_the_excess_lifts_the_hold(excess):
    sync_excess_cash_holds(today=date(2025, 1, 20))
    post(excess, "cash_returned", "10000.00", day=date(2025, 1, 21), memo="Excess returned")
    assert active_holds(excess) == []


def test_reversing_the_old_drawdown_lifts_the_hold(active):
    payment = draw(active, "10000.00", day=date(2025, 1, 10)).ledger_entry
    sync_excess_cash_holds(today=date(2025, 1, 20))
    assert [h.reason for h in active_holds(active)] == [HOLD_REASON]
    reverse_entry(active, payment, "Sent back", effective_date=date(2025, 1, 21))
    assert active_holds(active) == []


def test_the_daily_run_lifts_a_hold_whose_cash_is_gone(excess):
    """The daily run checks every excess-cash hold too, not only the postings: a hold
    standing on an award with no excess cash left is lifted there."""
    post(excess, "disbursement", "10000.00", day=date(2025, 1, 16), today=date(2025, 1, 16))
    with transaction.atomic():
        hold = hold_place_by_system(
            award=excess.award_a, cause=Hold.Cause.EXCESS_CASH, reason=HOLD_REASON, placed_by="t"
        )
    synced = sync_excess_cash_holds(today=date(2025, 1, 25))
    assert (synced.placed, synced.lifted) == ([], 1)
    hold.refresh_from_db()
    assert hold.lifted_at is not None and hold.lift_reason == LIFT_REASON


def test_the_requester_cannot_approve_their_own_request(spending):
    both = factories.make_user(
        "officer_and_approver",
        groups=[access.FINANCIAL_APPROVER],
        memberships=[(spending.task_force_a, Membership.Role.FINANCE_OFFICER)],
    )
    request = request_cash(spending, "12000.00", date(2025, 6, 30), actor=both)
    assert request.status == DrawdownRequest.Status.REQUESTED
    with pytest.raises(PermissionDenied):
        ledger.drawdown_approve(actor=both, request=request, today=date(2025, 6, 30))
    request.refresh_from_db()
    assert request.status == DrawdownRequest.Status.REQUESTED and request.decided_by is None
    approved = ledger.drawdown_approve(
        actor=spending.approver, request=request, today=date(2025, 6, 30)
    )
    assert approved.status == DrawdownRequest.Status.APPROVED
    assert approved.decided_by == spending.approver


def test_the_daily_reminder_run_places_the_hold(excess):
    """The same run that places late-report holds places the excess-cash hold."""
    summary = send_reminders(today=date(2025, 1, 20))
    assert [h.reason for h in active_holds(excess) if h.cause == Hold.Cause.EXCESS_CASH] == [
        HOLD_REASON
    ]
    again = send_reminders(today=date(2025, 1, 20))
    assert (summary.holds_placed, again.holds_placed) == (1, 0)
    assert len([h for h in active_holds(excess) if h.cause == Hold.Cause.EXCESS_CASH]) == 1


def test_paying_an_expenditure_with_the_old_cash_lifts_the_hold(excess):
    """An expenditure's date paid is a disbursement that day, so paying one with the
    $10,000 left lifts the hold at once."""
    sync_excess_cash_holds(today=date(2025, 1, 20))
    post(
        excess,
        "expenditure",
        "10000.00",
        day=date(2025, 1, 21),
        paid_on=date(2025, 1, 21),
        today=date(2025, 1, 21),
    )
    assert active_holds(excess) == []


def test_the_request_form_says_up_to_what_amount_a_request_is_approved_at_once(
    client, spending, pin_today
):
    pin_today(date(2025, 6, 30))
    client.force_login(spending.officer_a)
    page = client.get(
        reverse("budgets:drawdown_create", args=[spending.award_a.award_number])
    ).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert (
        "A request up to the award's immediate need of $11,000.00 (federal expenditures not "
        "yet covered by cash drawn $10,000.00, plus 10 days of spending at the average of the "
        "last 90 days $1,000.00) is approved automatically; a larger one waits for a financial "
        "approver." in text
    )


def test_the_award_page_shows_the_hold_its_cause_and_that_the_system_lifted_it(client, excess):
    sync_excess_cash_holds(today=date(2025, 1, 20))
    post(excess, "cash_returned", "10000.00", day=date(2025, 1, 21), memo="Excess returned")
    client.force_login(excess.pm)
    page = client.get(excess.award_a.get_absolute_url()).content.decode()
    text = " ".join(re.sub(r"<[^>]+>", " ", page).split())
    assert f"{HOLD_REASON} Cash held past the disbursement period system" in text
    assert f"by the system {LIFT_REASON}" in text
