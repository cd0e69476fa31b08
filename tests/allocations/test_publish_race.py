"""Six program managers' clicks racing to publish two scenarios of one fiscal year.

`run_publish` locks every scenario of the year before it checks whether one is already
published, so the clicks queue and exactly one publish goes through; the others are
refused with a message, and the year has one set of awards. Needs PostgreSQL: SQLite
serialises writers by locking the whole database, which proves nothing about row locks.
"""

import threading

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections

from allocations.models import AllocationRun
from allocations.services import run_publish
from grants.models import Award
from tests.allocations.helpers import make_run, program_run

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]

THREADS = 6


@pytest.fixture
def program(committed_program):
    """Committed: the test's other connections see the records."""
    return committed_program


@pytest.fixture
def two_scenarios(program):
    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (the CI's second leg)")
    ContentType.objects.clear_cache()
    first = program_run(program)  # $400,000 of the $500,000 left
    second = make_run(program.pm, program.appropriation, name="Small", pool="50000.00")
    return program, [first, second]


def test_one_publish_of_a_year_goes_through(two_scenarios):
    program, runs = two_scenarios
    barrier = threading.Barrier(THREADS, timeout=60)
    outcomes: list[str | None] = [None] * THREADS
    pm_pk = program.pm.pk
    connections.close_all()

    def attempt(i: int) -> None:
        try:
            actor = User.objects.get(pk=pm_pk)
            barrier.wait()
            run_publish(actor=actor, run=runs[i % 2])
            outcomes[i] = "published"
        except ValidationError as error:
            outcomes[i] = "refused: " + " ".join(error.messages)
        except Exception as error:  # noqa: BLE001  any other error fails the test
            outcomes[i] = f"error: {error!r}"
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert outcomes.count("published") == 1, outcomes
    refusals = [o for o in outcomes if o != "published"]
    assert all(
        o.endswith("a published allocation does not change.")
        or o.endswith("a fiscal year's allocation is published once.")
        for o in refusals
    ), refusals
    assert AllocationRun.objects.filter(status="published").count() == 1
    assert Award.objects.filter(allocation_line__isnull=False).count() == 2
