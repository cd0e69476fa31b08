"""The financial approver's drawdown queue: each open request with its award's cash
position and why it needs a decision (docs/rules/cash-and-ledger.md#cash-need)."""

import re
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import ledger
from grants import access
from grants.models import Membership
from tests import factories
from tests.budgets.ledger_helpers import activate, draw, post

D = Decimal
QUEUE = reverse("budgets:drawdown_queue")


@pytest.fixture
def excess(program, pin_today):
    """Worked example 7.6 on 01/20/2025: $40,000 drawn on 01/10, $30,000 disbursed."""
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "40000.00", day=date(2025, 1, 10))
    post(program, "disbursement", "30000.00", day=date(2025, 1, 15))
    pin_today(date(2025, 1, 20))
    return program


def request_cash(program, amount, *, actor=None, day=date(2025, 1, 20)):
    return ledger.drawdown_request(
        actor=actor or program.officer_a,
        award=program.award_a,
        amount=D(amount),
        idempotency_key=uuid.uuid4(),
        today=day,
    )


def row_of(page: str, request_pk: int) -> str:
    """The queue's row of one request, as text with the tags taken out."""
    mine = re.findall(rf'<tr[^>]*data-request="{request_pk}"[^>]*>(.*?)</tr>', page, flags=re.S)
    assert len(mine) == 1
    return " ".join(re.sub(r"<[^>]+>", " ", mine[0]).split())


def test_the_queue_shows_the_cash_position_and_why_a_request_waits(client, excess):
    request = request_cash(excess, "500.00")
    client.force_login(excess.approver)
    row = row_of(client.get(QUEUE).content.decode(), request.pk)
    # Request; amount and status; available to draw ($200,000.00 authorized, $40,000.00
    # drawn, this $500.00 requested); cash on hand and the day its oldest dollar came.
    assert row.startswith(
        "15PJDP-25-GK-00001-MECP Alpha ICAC Task Force requested 01/20/2025 by officer_a "
        "$500.00 Requested $159,500.00 "
        "$10,000.00 oldest drawn 01/10/2025, 10 days ago (past 10 days) "
    )
    assert (
        "The award holds $10,000.00 of cash drawn more than 10 days ago and not disbursed "
        "or returned." in row
    )
    assert "Approve" in row and "Reject" in row
    assert "Approving releases $500.00 for payment." in row


def test_a_requester_who_is_also_an_approver_sees_no_approve_on_their_own(client, excess):
    both = factories.make_user(
        "officer_and_approver",
        groups=[access.FINANCIAL_APPROVER],
        memberships=[(excess.task_force_a, Membership.Role.FINANCE_OFFICER)],
    )
    request = request_cash(excess, "500.00", actor=both)
    client.force_login(both)
    row = row_of(client.get(QUEUE).content.decode(), request.pk)
    assert "Approve" not in row and "Your own request: another approver decides it." in row
    client.post(reverse("budgets:drawdown_decide", args=[request.pk, "approve"]))
    request.refresh_from_db()
    assert request.status == "requested" and request.decided_by is None


def test_each_approver_sees_the_decisions_the_request_still_allows(excess):
    """A request waiting: approve (with what it releases) or reject. Once approved: mark
    paid, by another approver than the one who approved it, or reject. Each form carries
    a CSRF token that the server takes; a finance officer sees no decision at all."""
    request = request_cash(excess, "500.00")
    second = factories.make_user("approver_two", groups=[access.FINANCIAL_APPROVER])
    browser = Client(enforce_csrf_checks=True)

    def decisions(person) -> tuple[str, dict[str, str]]:
        """The row's text, and the token of each of its forms by where it posts."""
        browser.force_login(person)
        page = browser.get(QUEUE).content.decode()
        row = re.search(rf'<tr[^>]*data-request="{request.pk}"[^>]*>(.*?)</tr>', page, re.S)
        forms = re.findall(
            r'<form method="post" action="([^"]+)"[^>]*>'
            r'<input type="hidden" name="csrfmiddlewaretoken" value="([^"]+)">',
            row.group(1),
        )
        return row_of(page, request.pk), dict(forms)

    number = request.pk
    row, forms = decisions(excess.approver)
    assert list(forms) == [f"/drawdowns/{number}/approve/", f"/drawdowns/{number}/reject/"]
    assert "Approving releases $500.00 for payment. Approve" in row and "Mark paid" not in row
    approve = f"/drawdowns/{number}/approve/"
    assert browser.post(approve, {"csrfmiddlewaretoken": "x" * 64}).status_code == 403
    response = browser.post(approve, {"csrfmiddlewaretoken": forms[approve], "note": ""})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == excess.approver

    row, forms = decisions(excess.approver)
    assert list(forms) == [f"/drawdowns/{number}/reject/"] and "Why reject Reject" in row
    row, forms = decisions(second)
    assert list(forms) == [f"/drawdowns/{number}/paid/", f"/drawdowns/{number}/reject/"]
    assert "Mark paid" in row and "Approving" not in row
    row, forms = decisions(excess.officer_a)
    assert forms == {} and "Mark paid" not in row and "Reject" not in row


def _queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(QUEUE).status_code == 200
    return len(captured)


def test_the_queue_reads_in_the_same_queries_for_1_and_20_requests(client, excess):
    second = activate(
        excess,
        factories.make_award(
            excess.pm,
            task_force=excess.task_force_a,
            appropriation=excess.appropriation,
            number="15PJDP-25-GK-00003-MECP",
        ),
    )
    request_cash(excess, "10.00")
    client.force_login(excess.approver)
    one = _queries(client)
    for n in range(19):
        ledger.drawdown_request(
            actor=excess.officer_a,
            award=excess.award_a if n % 2 else second,
            amount=D("10.00"),
            idempotency_key=uuid.uuid4(),
            today=date(2025, 1, 20),
        )
    page = client.get(QUEUE).content.decode()
    assert page.count("data-request=") == 20
    assert _queries(client) == one
