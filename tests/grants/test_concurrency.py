"""Awards racing for one appropriation: the lock makes them queue, so the
appropriation is never over-committed. Needs PostgreSQL (SQLite serialises writers
by locking the whole database, which proves nothing about row locks)."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import Group, User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections

from grants import access
from grants.models import Appropriation, AwardFunding
from grants.money import ZERO, MoneySum
from grants.services import FundingRequest, award_create
from tests import factories

# serialized_rollback: the flush after a transactional test would otherwise take the
# roles and rule values the migrations seeded away from the tests that follow.
pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (the CI's second leg)")
    # Content-type ids cached by earlier tests may not survive their flush.
    ContentType.objects.clear_cache()


def test_twenty_awards_racing_for_room_for_ten(postgres_only):
    Group.objects.get_or_create(name=access.PROGRAM_MANAGER)
    pm = factories.make_user("pm-race", groups=[access.PROGRAM_MANAGER])
    task_force = factories.make_task_force("Race ICAC Task Force", "va-race")
    appropriation = factories.make_appropriation(pm, amount="1100000.00", set_aside="100000.00")
    barrier = threading.Barrier(20)
    outcomes: list[str] = []

    def attempt(i: int) -> None:
        try:
            barrier.wait()
            award_create(
                actor=User.objects.get(pk=pm.pk),
                award_number=f"15PJDP-25-GK-{i + 100:05d}-MECP",
                title="Race",
                task_force=task_force,
                period_start=date(2024, 10, 1),
                period_end=date(2026, 9, 30),
                funding=[FundingRequest(appropriation.pk, Decimal("100000.00"))],
            )
            outcomes.append("created")
        except ValidationError:
            outcomes.append("refused")
        except Exception as error:  # noqa: BLE001  any other error is a failure of the test
            outcomes.append(f"error: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(i,)) for i in range(20)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["created"] * 10 + ["refused"] * 10
    awarded = AwardFunding.objects.filter(appropriation=appropriation).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]
    assert awarded == Decimal("1000000.00")
    assert Appropriation.objects.get(pk=appropriation.pk).amount == Decimal("1100000.00")
