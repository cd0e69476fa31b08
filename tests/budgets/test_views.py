"""The ledger as a finance officer and an approver use it in the browser's place."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets.models import DrawdownRequest, LedgerEntry
from tests import factories
from tests.budgets.ledger_helpers import activate, draw, post, reverse_entry


@pytest.fixture
def active(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def _entry_url(program, kind="expenditure"):
    return reverse("budgets:entry_create", args=[program.award_a.award_number, kind])


def test_expenditure_form_posts_once_and_ignores_extra_fields(client, active):
    client.force_login(active.officer_a)
    key = str(uuid.uuid4())
    data = {
        "effective_date": "2025-02-28",
        "amount": "$1,250.00",
        "category": "A",
        "share": "federal",
        "memo": "February overtime",
        "idempotency_key": key,
        "status": "approved",
        "approved_by": str(active.pm.pk),
        "award": str(active.award_b.pk),
        "actor": str(active.pm.pk),
    }
    first = client.post(_entry_url(active), data)
    second = client.post(_entry_url(active), data)
    assert first.status_code == second.status_code == 302
    entry = LedgerEntry.objects.get()
    assert (entry.award, entry.actor, entry.amount, entry.category) == (
        active.award_a,
        active.officer_a,
        Decimal("1250.00"),
        "A",
    )


def test_form_shows_what_is_available_and_refuses_one_cent_too_much(client, active, pin_today):
    pin_today(date(2025, 1, 10))
    draw(active, "199999.99", paid=False)
    client.force_login(active.officer_a)
    url = reverse("budgets:drawdown_create", args=[active.award_a.award_number])
    page = client.get(url).content.decode()
    assert "Available to draw: <strong>$0.01</strong>" in page
    response = client.post(url, {"amount": "0.02", "idempotency_key": str(uuid.uuid4())})
    assert response.context["form"].errors["amount"] == [
        "$0.02 is $0.01 more than the $0.01 available to draw."
    ]
    assert DrawdownRequest.objects.count() == 1


def test_another_awards_obligation_is_not_a_choice(client, active):
    other = LedgerEntry.objects.create(
        award=active.award_b,
        kind="obligation",
        category="A",
        amount=Decimal("10.00"),
        effective_date=date(2025, 1, 5),
        actor=active.officer_b,
        idempotency_key=uuid.uuid4(),
    )
    client.force_login(active.officer_a)
    response = client.post(
        _entry_url(active),
        {
            "effective_date": "2025-02-28",
            "amount": "5.00",
            "category": "A",
            "share": "federal",
            "obligation": str(other.pk),
            "idempotency_key": str(uuid.uuid4()),
        },
    )
    assert "Select a valid choice" in response.context["form"].errors["obligation"][0]
    assert not LedgerEntry.objects.filter(award=active.award_a).exists()


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("amount", "0", "Enter an amount greater than zero."),
        ("amount", "12.345", "Ensure that there are no more than 2 decimal places."),
        ("amount", "Infinity", "'Infinity' is not a finite amount."),
        (
            "effective_date",
            "2026-10-01",
            "10/01/2026 is after the period of performance ends (09/30/2026).",
        ),
        ("category", "F", "F. Construction has no approved federal budget on this award."),
    ],
)
def test_bad_expenditures_are_explained_on_the_field(client, active, field, value, message):
    client.force_login(active.officer_a)
    data = {
        "effective_date": "2025-02-28",
        "amount": "10.00",
        "category": "A",
        "share": "federal",
        "idempotency_key": str(uuid.uuid4()),
        field: value,
    }
    response = client.post(_entry_url(active), data)
    assert response.status_code == 200
    assert message in response.context["form"].errors[field]
    assert LedgerEntry.objects.count() == 0


def test_ledger_page_balances_as_of_a_past_date(client, active):
    post(active, "expenditure", "100.00", day=date(2025, 1, 15))
    post(active, "expenditure", "50.00", day=date(2025, 3, 15))
    client.force_login(active.auditor)
    url = reverse("budgets:award_ledger", args=[active.award_a.award_number])
    early = client.get(url, {"as_of": "2025-02-01"}).context["balances"]
    late = client.get(url).context["balances"]
    assert (early.federal_expenditures, late.federal_expenditures) == (
        Decimal("100.00"),
        Decimal("150.00"),
    )


def test_approver_works_the_queue(client, active, pin_today):
    pin_today(date(2025, 1, 10))
    active.award_a.drawdowns_need_approval = True
    active.award_a.save(update_fields=["drawdowns_need_approval"])
    request = draw(active, "300.00", paid=False)
    client.force_login(active.approver)
    queue = client.get(reverse("budgets:drawdown_queue")).content.decode()
    assert "$300.00" in queue and "Approve" in queue
    client.post(reverse("budgets:drawdown_decide", args=[request.pk, "approve"]))
    request.refresh_from_db()
    assert request.status == "approved" and request.decided_by == active.approver


def test_dashboard_flags_excess_cash(client, active):
    draw(active, "5000.00", day=date(2025, 1, 10))
    client.force_login(active.pm)
    page = client.get(reverse("home")).content.decode()
    assert "Cash drawn but not disbursed after 10 days" in page
    assert "15PJDP-25-GK-00001-MECP</a> (Alpha ICAC Task Force): $5,000.00" in page


def test_a_paid_drawdown_whose_cash_went_back_says_so_on_screen_and_in_the_file(client, active):
    from io import BytesIO

    from openpyxl import load_workbook

    from tests.reports.workbook_helpers import response_bytes

    paid = draw(active, "700.00", day=date(2025, 3, 10))
    reverse_entry(
        active,
        paid.ledger_entry,
        "Not needed within 10 days; returned",
        effective_date=date(2025, 3, 20),
        today=date(2025, 3, 20),
    )
    client.force_login(active.approver)
    queue = client.get(reverse("budgets:drawdown_queue") + "?status=paid").content.decode()
    assert "Paid; cash returned 03/20/2025" in queue
    sheet = load_workbook(
        BytesIO(response_bytes(client.get(reverse("exports:table", args=["drawdowns"]))))
    )["Drawdowns"]
    header = [cell.value for cell in sheet[1]]
    row = dict(zip(header, [cell.value for cell in sheet[2]], strict=True))
    assert (row["Status"], row["Paid on"].date(), row["Cash returned on"].date()) == (
        "Paid",
        date(2025, 3, 10),
        date(2025, 3, 20),
    )


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_drawdown_queue_reads_in_the_same_queries_however_long_it_is(client, active):
    client.force_login(active.approver)
    url = reverse("budgets:drawdown_queue") + "?status=paid"
    returned = draw(active, "100.00", day=date(2025, 3, 10))
    reverse_entry(
        active,
        returned.ledger_entry,
        "Returned",
        effective_date=date(2025, 3, 12),
        today=date(2025, 3, 12),
    )
    one = _queries(client, url)
    for day in (11, 12, 13):
        draw(active, "50.00", day=date(2025, 3, day))
    page = client.get(url).content.decode()
    assert page.count("$50.00<br>") == 3 and "Paid; cash returned 03/12/2025" in page
    assert _queries(client, url) == one


def test_the_dashboard_reads_in_the_same_queries_however_many_awards_hold_cash(client, active):
    client.force_login(active.pm)
    url = reverse("home") + "?fy=2025"
    draw(active, "5000.00", day=date(2025, 1, 10))
    one = _queries(client, url)
    second = factories.make_award(
        active.pm,
        task_force=active.task_force_a,
        appropriation=active.appropriation,
        number="15PJDP-25-GK-00003-MECP",
    )
    draw(active, "700.00", award=activate(active, second), day=date(2025, 1, 10))
    page = client.get(url).content.decode()
    assert "$5,000.00" in page and "$700.00" in page
    assert _queries(client, url) == one
