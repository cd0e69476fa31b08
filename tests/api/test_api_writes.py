"""Writing through the API: the ledger services' rules and messages, idempotent retries,
conflicts, refusals that write nothing, and audit events that name the token."""

import uuid
from decimal import Decimal

import pytest
from django.urls import reverse

from api.problems import PROBLEM_JSON
from api.writes import MAX_BODY_BYTES
from budgets.forms import EntryForm
from budgets.models import DrawdownRequest, LedgerEntry
from budgets.services import LineInput
from grants.models import AuditEvent, Membership
from tests import factories
from tests.api.helpers import bearer
from tests.budgets.ledger_helpers import activate, draw, post

OBLIGATION = {
    "kind": "obligation",
    "amount": "1250.10",
    "effective_date": "2025-01-15",
    "category": "A",
    "memo": "Forensic workstation",
}


@pytest.fixture
def active(program):
    activate(program)
    return program


def send(client, url, body, user, key=None, **extra):
    headers = bearer(user)
    if key is not False:
        headers["HTTP_IDEMPOTENCY_KEY"] = str(key or uuid.uuid4())
    return client.post(url, body, content_type="application/json", **headers, **extra)


def ledger_url(award):
    return reverse("api:award_ledger", args=[award.award_number])


def drawdown_url(award):
    return reverse("api:award_drawdown_create", args=[award.award_number])


def problem(response, status):
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM_JSON
    return response.json()


def test_records_an_obligation_with_the_exact_amount_and_audits_the_token(client, active):
    response = send(
        client,
        ledger_url(active.award_a),
        OBLIGATION,
        active.officer_a,
        HTTP_X_REQUEST_ID="sync-run-0042",
        REMOTE_ADDR="198.51.100.20",
    )
    assert response.status_code == 201
    assert response["X-Request-ID"] == "sync-run-0042"
    body = response.json()
    assert (body["kind"], body["amount"], body["category"]) == ("obligation", "1250.10", "A")
    entry = LedgerEntry.objects.get(pk=body["id"])
    assert entry.amount == Decimal("1250.10")
    assert entry.actor == active.officer_a
    event = AuditEvent.objects.get(action="budgets.ledger.obligation_posted")
    assert event.actor == active.officer_a
    assert event.data["via"] == "API token 'Test system'"
    assert event.data["after"]["amount"] == "1250.10"
    assert (event.request_id, event.source_address) == ("sync-run-0042", "198.51.100.20")


def test_an_expenditure_paying_an_obligation_and_paid_already_records_its_payment(client, active):
    draw(active, "500.00")
    obligation = post(active, "obligation", "500.00")
    body = {
        "kind": "expenditure",
        "amount": "500.00",
        "effective_date": "2025-01-20",
        "category": "A",
        "share": "federal",
        "obligation": obligation.pk,
        "paid_on": "2025-01-21",
    }
    response = send(client, ledger_url(active.award_a), body, active.officer_a)
    assert response.status_code == 201, response.content
    expenditure = LedgerEntry.objects.get(pk=response.json()["id"])
    assert expenditure.obligation == obligation
    payment = LedgerEntry.objects.get(kind="disbursement", expenditure=expenditure)
    assert (payment.amount, str(payment.effective_date)) == (Decimal("500.00"), "2025-01-21")


def test_an_in_kind_match_is_recorded_with_its_basis(client, active):
    award = factories.make_award(
        active.pm,
        task_force=active.task_force_a,
        appropriation=active.appropriation,
        amount="400000.00",
        match_required=Decimal("100000.00"),
        lines=[LineInput("A", Decimal("400000.00"), Decimal("100000.00"))],
    )
    activate(active, award)
    body = {
        "kind": "expenditure",
        "amount": "300.00",
        "effective_date": "2025-01-20",
        "category": "A",
        "share": "recipient",
        "in_kind_basis": "volunteer_services",
        "in_kind_description": "12 hours of forensic review at $25.00 an hour",
    }
    response = send(client, ledger_url(award), body, active.officer_a)
    assert response.status_code == 201, response.content
    entry = LedgerEntry.objects.get(pk=response.json()["id"])
    assert (entry.share, entry.in_kind_basis) == ("recipient", "volunteer_services")


def test_a_retry_with_the_same_key_returns_the_first_entry(client, active):
    key = uuid.uuid4()
    first = send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key)
    again = send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert LedgerEntry.objects.filter(kind="obligation").count() == 1


@pytest.mark.parametrize(
    "change", [{"amount": "1250.11"}, {"memo": "Another workstation"}, {"kind": "program_income"}]
)
def test_the_same_key_with_another_body_is_a_conflict(client, active, change):
    key = uuid.uuid4()
    send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key)
    body = {**OBLIGATION, **change}
    if change.get("kind") == "program_income":
        del body["category"]
    response = send(client, ledger_url(active.award_a), body, active.officer_a, key)
    assert "Idempotency-Key was used before" in problem(response, 409)["detail"]
    assert LedgerEntry.objects.count() == 1


def test_the_same_key_on_two_awards_is_a_conflict(client, active):
    second = factories.make_award(
        active.pm, task_force=active.task_force_a, appropriation=active.appropriation
    )
    activate(active, second)
    key = uuid.uuid4()
    assert (
        send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key).status_code
        == 201
    )
    problem(send(client, ledger_url(second), OBLIGATION, active.officer_a, key), 409)
    problem(send(client, drawdown_url(second), {"amount": "10.00"}, active.officer_a, key), 409)
    assert LedgerEntry.objects.filter(award=second).count() == 0
    assert DrawdownRequest.objects.count() == 0


def test_two_people_may_send_the_same_key(client, active):
    colleague = factories.make_user(
        "officer_a2", memberships=[(active.task_force_a, Membership.Role.FINANCE_OFFICER)]
    )
    key = uuid.uuid4()
    assert (
        send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key).status_code
        == 201
    )
    assert send(client, ledger_url(active.award_a), OBLIGATION, colleague, key).status_code == 201
    assert LedgerEntry.objects.filter(kind="obligation").count() == 2


@pytest.mark.parametrize("amount", ["1e3", "١٢٣", "12.345", "-5", "0", "twelve"])
def test_a_bad_amount_has_the_forms_message_and_writes_nothing(client, active, amount):
    form = EntryForm(
        {**OBLIGATION, "amount": amount, "idempotency_key": str(uuid.uuid4())}, kind="obligation"
    )
    assert not form.is_valid()
    response = send(
        client, ledger_url(active.award_a), {**OBLIGATION, "amount": amount}, active.officer_a
    )
    assert problem(response, 400)["errors"] == {"amount": form.errors["amount"]}
    assert LedgerEntry.objects.count() == 0
    assert not AuditEvent.objects.filter(action__startswith="budgets.ledger").exists()


def test_an_amount_sent_as_a_number_is_refused(client, active):
    response = send(
        client, ledger_url(active.award_a), {**OBLIGATION, "amount": 12.5}, active.officer_a
    )
    assert problem(response, 400)["errors"] == {
        "amount": ['Send the amount as a string, such as "1250.00".']
    }


def test_a_service_refusal_keeps_its_message_on_its_field(client, active):
    response = send(client, drawdown_url(active.award_a), {"amount": "999999.00"}, active.officer_a)
    assert problem(response, 400)["errors"] == {
        "amount": ["$999,999.00 is $799,999.00 more than the $200,000.00 available to draw."]
    }
    assert DrawdownRequest.objects.count() == 0


def test_unknown_fields_are_named(client, active):
    body = {**OBLIGATION, "status": "approved", "share": "federal"}
    errors = problem(send(client, ledger_url(active.award_a), body, active.officer_a), 400)[
        "errors"
    ]
    assert set(errors) == {"status"}
    errors = problem(
        send(
            client, ledger_url(active.award_a), {**OBLIGATION, "share": "federal"}, active.officer_a
        ),
        400,
    )["errors"]
    assert errors["share"][0].startswith("A obligation has no such field")
    assert LedgerEntry.objects.count() == 0


@pytest.mark.parametrize("key", [False, "", "not-a-uuid"])
def test_a_missing_or_malformed_idempotency_key_is_refused(client, active, key):
    headers = bearer(active.officer_a)
    if key is not False:
        headers["HTTP_IDEMPOTENCY_KEY"] = key
    response = client.post(
        ledger_url(active.award_a), OBLIGATION, content_type="application/json", **headers
    )
    assert "Idempotency-Key" in problem(response, 400)["errors"]
    assert LedgerEntry.objects.count() == 0


def test_a_large_body_is_refused(client, active):
    body = {**OBLIGATION, "memo": "x" * MAX_BODY_BYTES}
    problem(send(client, ledger_url(active.award_a), body, active.officer_a), 413)
    assert LedgerEntry.objects.count() == 0


def test_reversal_replay_and_another_task_forces_entry(client, active):
    entry = post(active, "obligation", "100.00")
    url = reverse("api:entry_reversal", args=[entry.pk])
    key = uuid.uuid4()
    first = send(client, url, {"reason": "Entered twice"}, active.officer_a, key)
    assert first.status_code == 201
    assert (first.json()["reverses"], first.json()["amount"]) == (entry.pk, "100.00")
    again = send(client, url, {"reason": "Entered twice"}, active.officer_a, key)
    assert (again.status_code, again.json()) == (200, first.json())
    problem(send(client, url, {"reason": "Another reason"}, active.officer_a, key), 409)
    problem(send(client, url, {"reason": "Entered twice"}, active.officer_b), 404)
    assert LedgerEntry.objects.filter(reverses=entry).count() == 1


def test_a_reversal_needs_a_reason(client, active):
    entry = post(active, "obligation", "100.00")
    url = reverse("api:entry_reversal", args=[entry.pk])
    errors = problem(send(client, url, {"reason": ""}, active.officer_a), 400)["errors"]
    assert list(errors) == ["reason"]
    assert LedgerEntry.objects.filter(reverses=entry).count() == 0


def test_drawdown_request_and_its_replay(client, active):
    key = uuid.uuid4()
    body = {"amount": "10.00", "memo": "Payroll"}
    first = send(client, drawdown_url(active.award_a), body, active.officer_a, key)
    assert first.status_code == 201
    assert (first.json()["amount"], first.json()["award"]) == ("10.00", active.award_a.award_number)
    again = send(client, drawdown_url(active.award_a), body, active.officer_a, key)
    assert (again.status_code, again.json()) == (200, first.json())
    assert DrawdownRequest.objects.get().amount == Decimal("10.00")
