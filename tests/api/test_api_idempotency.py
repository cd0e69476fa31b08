"""Idempotency-Key semantics: the request's hash decides replay (200, first result) or
conflict (409); two requests racing with one key end in a 409, never a 500."""

import threading
import uuid
from datetime import date

import pytest
from django.db import connection
from django.test import Client

from api import writes
from api.models import IdempotencyRecord
from budgets.models import LedgerEntry
from tests import factories
from tests.api.helpers import bearer
from tests.api.test_api_writes import OBLIGATION, ledger_url, problem, send
from tests.budgets.ledger_helpers import activate, draw, post

EXPENDITURE = {
    "kind": "expenditure",
    "amount": "300.00",
    "effective_date": "2025-01-20",
    "category": "A",
    "share": "federal",
    "memo": "Training travel",
}


@pytest.fixture
def active(program):
    activate(program)
    return program


def second_award(program):
    award = factories.make_award(
        program.pm, task_force=program.task_force_a, appropriation=program.appropriation
    )
    return activate(program, award)


@pytest.mark.parametrize(
    "change",
    [
        {"category": "B"},
        {"share": "recipient"},
        {"memo": "Training lodging"},
        {"effective_date": "2025-01-21"},
        {"memo": None},
    ],
    ids=["category", "share", "memo", "date", "memo-dropped"],
)
def test_a_retry_that_changes_any_field_is_a_conflict(client, active, change):
    key = uuid.uuid4()
    url = ledger_url(active.award_a)
    assert send(client, url, EXPENDITURE, active.officer_a, key).status_code == 201
    body = {k: v for k, v in {**EXPENDITURE, **change}.items() if v is not None}
    detail = problem(send(client, url, body, active.officer_a, key), 409)["detail"]
    assert detail == writes.REUSED_KEY
    assert LedgerEntry.objects.filter(kind="expenditure").count() == 1


def test_field_order_and_spacing_do_not_make_another_request(client, active):
    key = uuid.uuid4()
    url = ledger_url(active.award_a)
    first = send(client, url, EXPENDITURE, active.officer_a, key)
    reordered = dict(reversed(list(EXPENDITURE.items())))
    again = send(client, url, reordered, active.officer_a, key)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    record = IdempotencyRecord.objects.get()
    assert (record.record_type, record.record_id) == ("budgets.ledgerentry", first.json()["id"])


def test_a_retry_of_a_payment_returns_it_after_the_expenditure_is_paid_in_full(client, active):
    draw(active, "300.00")
    expenditure = post(active, "expenditure", "300.00", day=date(2025, 1, 20))
    body = {
        "kind": "disbursement",
        "amount": "300.00",
        "effective_date": "2025-01-22",
        "expenditure": expenditure.pk,
    }
    key = uuid.uuid4()
    url = ledger_url(active.award_a)
    first = send(client, url, body, active.officer_a, key)
    assert first.status_code == 201, first.content
    again = send(client, url, body, active.officer_a, key)
    assert (again.status_code, again.json()) == (200, first.json())
    # A new request to pay it again is refused by the form: nothing is left to pay.
    assert "expenditure" in problem(send(client, url, body, active.officer_a), 400)["errors"]
    assert LedgerEntry.objects.filter(kind="disbursement").count() == 1


def test_the_key_of_an_entry_on_another_award_is_a_conflict(client, active):
    """The key's entry exists on another award but no record says so (as when another
    request is still writing it): the service's own key check refuses it, a 409."""
    other = second_award(active)
    key = uuid.uuid4()
    headers = bearer(active.officer_a)
    service_key = uuid.uuid5(writes.KEY_NAMESPACE, f"{active.officer_a.pk}:{key}")
    LedgerEntry.objects.create(
        award=other,
        kind="obligation",
        category="A",
        amount="1250.10",
        effective_date=date(2025, 1, 15),
        actor=active.officer_a,
        idempotency_key=service_key,
    )
    response = client.post(
        ledger_url(active.award_a),
        OBLIGATION,
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY=str(key),
        **headers,
    )
    problem(response, 409)
    assert not LedgerEntry.objects.filter(award=active.award_a).exists()
    assert not IdempotencyRecord.objects.exists()


def test_a_race_lost_on_the_key_is_a_conflict_or_the_first_result(client, active, monkeypatch):
    """Both requests found no record (the first had not committed): the second's insert
    of the key fails; it answers the first result if it was the same request, else 409."""
    other = second_award(active)
    key = uuid.uuid4()
    first = send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key)
    assert first.status_code == 201
    real = writes.earlier_result
    calls = []

    def not_yet_committed(*args):
        calls.append(args)
        return None if len(calls) == 1 else real(*args)

    monkeypatch.setattr(writes, "earlier_result", not_yet_committed)
    problem(send(client, ledger_url(other), OBLIGATION, active.officer_a, key), 409)
    assert len(calls) == 2
    calls.clear()
    same = send(client, ledger_url(active.award_a), OBLIGATION, active.officer_a, key)
    assert (same.status_code, same.json()) == (200, first.json())
    assert LedgerEntry.objects.filter(kind="obligation").count() == 1


# serialized_rollback: the flush after a transactional test would otherwise take the roles
# and rule values the migrations seeded away from the tests that follow.
@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs concurrent transactions")
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_awards_at_once_with_one_key_write_one_entry(committed_program):
    program = committed_program
    activate(program)
    other = second_award(program)
    key = str(uuid.uuid4())
    headers = bearer(program.officer_a)
    start = threading.Barrier(2)
    codes = []

    def post_to(award):
        try:
            start.wait()
            response = Client().post(
                ledger_url(award),
                OBLIGATION,
                content_type="application/json",
                HTTP_IDEMPOTENCY_KEY=key,
                **headers,
            )
            codes.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post_to, args=(a,)) for a in (program.award_a, other)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(codes) == [201, 409]
    assert LedgerEntry.objects.filter(kind="obligation").count() == 1
