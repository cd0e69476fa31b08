"""Forty writers appending to the audit trail at once cannot fork its chain.

Every writer locks the chain's head row (AuditChainHead.lock, SELECT ... FOR UPDATE)
before it links its event, so each links to the event committed just before it and
`verify_audit` finds one unbroken chain. The negative control reads the head without the
lock and widens the window: writers then link to the same previous event, and the walk
names the fork, which shows that the harness would notice a missing lock.

Needs PostgreSQL: SQLite serialises writers by locking the whole database, which proves
nothing about row locks.
"""

import threading
import time

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.db import connection, connections

from grants.audit import AuditChainHead, AuditEvent, audit_record
from grants.audit_verify import verify_audit_chain

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 40
EVENTS_EACH = 3


@pytest.fixture
def program(committed_program):
    """Committed: the test's other connections see the records."""
    return committed_program


@pytest.fixture
def postgres_only(program, many_connections):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (the CI's second leg)")
    ContentType.objects.clear_cache()
    return program


def race(program) -> list[str]:
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str | None] = [None] * THREADS
    pm_pk = program.pm.pk
    connections.close_all()

    def attempt(i: int) -> None:
        try:
            actor = User.objects.get(pk=pm_pk)
            barrier.wait()
            for n in range(EVENTS_EACH):
                audit_record(actor=actor, action="grants.race.noted", data={"writer": i, "n": n})
            outcomes[i] = "written"
        except Exception as error:  # noqa: BLE001  any error fails the test
            outcomes[i] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


def test_the_head_lock_keeps_one_chain(postgres_only):
    before = AuditEvent.objects.count()
    assert race(postgres_only) == ["written"] * THREADS
    verdict = verify_audit_chain()
    assert verdict.ok, verdict.problem
    assert verdict.walk.count == before + THREADS * EVENTS_EACH
    head = AuditChainHead.objects.get()
    assert (head.count, head.hash) == (verdict.walk.count, verdict.walk.head)
    # No two events link to the same previous one.
    prev = list(AuditEvent.objects.values_list("prev_hash", flat=True))
    assert len(set(prev)) == len(prev)


def test_without_the_lock_the_chain_forks(postgres_only, monkeypatch):
    """Negative control: the head read without FOR UPDATE, 20 ms before linking."""

    def unlocked(cls):
        head = cls.objects.get(pk=1)
        time.sleep(0.02)
        return head

    monkeypatch.setattr(AuditChainHead, "lock", classmethod(unlocked))
    assert race(postgres_only) == ["written"] * THREADS
    monkeypatch.undo()
    verdict = verify_audit_chain()
    assert not verdict.ok
    assert "prev_hash expected" in verdict.problem
