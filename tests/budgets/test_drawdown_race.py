"""A hundred drawdown requests racing for the last $50.00 of an award.

`drawdown_request` locks the award row, then recomputes what is available under the
lock, so the requests queue and exactly fifty $1.00 requests get through (invariant 1 of
docs/architecture.md#ledger-invariants). The negative control takes the lock away and widens
the race window: the same harness then lets more than fifty through, which shows that it would
notice a missing lock.

Needs PostgreSQL: SQLite serialises writers by locking the whole database, which proves
nothing about row locks.
"""

import threading
import time
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections

from budgets import ledger
from budgets.balances import award_balances
from budgets.models import DrawdownRequest
from grants.models import Award
from grants.money import ZERO, MoneySum
from tests.budgets.ledger_helpers import activate, draw

# serialized_rollback: the flush after a transactional test would otherwise take the
# roles and rule values the migrations seeded away from the tests that follow.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 100
ONE_DOLLAR = Decimal("1.00")
REQUEST_DAY = date(2025, 1, 15)
REFUSAL = "$1.00 is $1.00 more than the $0.00 available to draw."


@pytest.fixture
def program(committed_program):
    """Committed: the test's other connections see the records."""
    return committed_program


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (the CI's second leg)")
    # Content-type ids cached by earlier tests may not survive their flush.
    ContentType.objects.clear_cache()


@pytest.fixture
def fifty_dollars_left(postgres_only, program):
    """Award A ($200,000.00) active, with $199,950.00 drawn and paid: $50.00 left."""
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "199950.00")
    assert award_balances(program.award_a, as_of=date.max).available_to_draw == Decimal("50.00")
    return program


def _connect(deadline: float) -> bool:
    """Open this thread's connection. Other clients may hold a few of PostgreSQL's
    connections: then a thread waits for a free one."""
    while True:
        try:
            connection.ensure_connection()
            return True
        except OperationalError as error:
            if "too many clients" not in str(error) or time.monotonic() > deadline:
                raise
            time.sleep(0.01)


def race(program, at_once: int) -> list[str]:
    """THREADS finance officers each ask for $1.00 at once, `at_once` of them connected
    when they start and the rest as those finish. Returns one outcome each: "accepted",
    "refused: <message>", or "error: <repr>"."""
    barrier = threading.Barrier(THREADS, timeout=60)
    slots = threading.BoundedSemaphore(at_once)
    outcomes: list[str | None] = [None] * THREADS
    officer_pk, award = program.officer_a.pk, program.award_a
    # The main thread's connection would take one of the slots.
    connections.close_all()

    def attempt(i: int) -> None:
        connected = slots.acquire(blocking=False)
        try:
            # Connect and load the actor before the barrier, so that the race is for the
            # award's row and not for a database connection.
            if connected:
                _connect(time.monotonic() + 30)
                actor = User.objects.get(pk=officer_pk)
            barrier.wait()
            if not connected:  # no free slot yet: connect once one of the others finishes
                connected = slots.acquire(timeout=60)
                _connect(time.monotonic() + 30)
                actor = User.objects.get(pk=officer_pk)
            ledger.drawdown_request(
                actor=actor,
                award=award,
                amount=ONE_DOLLAR,
                idempotency_key=uuid.uuid4(),
                today=REQUEST_DAY,
            )
            outcomes[i] = "accepted"
        except ValidationError as error:
            outcomes[i] = "refused: " + " ".join(error.messages)
        except Exception as error:  # noqa: BLE001  any other error fails the test
            outcomes[i] = f"error: {error!r}"
        finally:
            connections.close_all()
            if connected:
                slots.release()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def open_requests_total(award: Award) -> Decimal:
    return DrawdownRequest.objects.filter(award=award, status__in=DrawdownRequest.OPEN).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]


def test_the_award_lock_lets_exactly_fifty_dollars_through(fifty_dollars_left, many_connections):
    program = fifty_dollars_left
    outcomes = race(program, many_connections)

    errors = [o for o in outcomes if not o.startswith(("accepted", "refused: "))]
    assert errors == []
    assert outcomes.count("accepted") == 50
    assert outcomes.count(f"refused: {REFUSAL}") == 50
    assert open_requests_total(program.award_a) == Decimal("50.00")
    assert (
        DrawdownRequest.objects.filter(
            award=program.award_a, status__in=DrawdownRequest.OPEN
        ).count()
        == 50
    )
    balances = award_balances(program.award_a, as_of=date.max)
    assert (balances.drawn, balances.pending_drawdowns, balances.available_to_draw) == (
        Decimal("199950.00"),
        Decimal("50.00"),
        Decimal("0.00"),
    )


def test_without_the_lock_the_harness_sees_the_award_overdrawn(
    fifty_dollars_left, many_connections, monkeypatch
):
    """Negative control: no row lock, and 20 ms between reading the balance and writing
    the request. More than fifty requests get through: the harness catches it."""
    program = fifty_dollars_left
    real_balances = ledger.award_balances

    def no_lock(award_id: int) -> Award:
        return Award.objects.get(pk=award_id)

    def slow_balances(award, *, as_of):
        result = real_balances(award, as_of=as_of)
        time.sleep(0.02)
        return result

    monkeypatch.setattr(ledger, "lock_award", no_lock)
    monkeypatch.setattr(ledger, "award_balances", slow_balances)
    outcomes = race(program, many_connections)
    monkeypatch.undo()

    errors = [o for o in outcomes if not o.startswith(("accepted", "refused: "))]
    assert errors == []
    accepted = outcomes.count("accepted")
    assert accepted > 50, f"only {accepted} got through without the lock"
    assert open_requests_total(program.award_a) == Decimal(accepted)
    assert award_balances(program.award_a, as_of=date.max).available_to_draw < 0
