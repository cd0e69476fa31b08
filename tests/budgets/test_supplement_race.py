"""Two supplements racing for what is left of one appropriation: the appropriation row
lock makes their approvals queue, so only one gets the money. Needs PostgreSQL."""

import threading
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.auth.models import User
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import connection, connections

from budgets.modifications import budget_modification_decide, supplement_propose
from budgets.services import LineInput
from grants import access
from grants.models import Appropriation, Award, AwardFunding, Membership
from grants.money import ZERO, MoneySum
from grants.services import award_transition
from tests import factories

pytestmark = [
    pytest.mark.postgres,
    pytest.mark.django_db(transaction=True, serialized_rollback=True),
]


@pytest.fixture
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.skip("row-lock behaviour is tested on PostgreSQL (the CI's second leg)")
    ContentType.objects.clear_cache()


def test_two_supplements_racing_for_room_for_one(postgres_only):
    pm = factories.make_user("pm-sup", groups=[access.PROGRAM_MANAGER])
    approver = factories.make_user("approver-sup", groups=[access.FINANCIAL_APPROVER])
    appropriation = factories.make_appropriation(pm, amount="1100000.00", set_aside="100000.00")
    requests = []
    for n in range(2):
        task_force = factories.make_task_force(f"Race {n} ICAC Task Force", f"va-race-{n}")
        admin = factories.make_user(
            f"gadmin-sup-{n}", memberships=[(task_force, Membership.Role.GRANT_ADMINISTRATOR)]
        )
        award = factories.make_award(
            pm, task_force=task_force, appropriation=appropriation, amount="400000.00"
        )
        award_transition(actor=pm, award=award, to_status=Award.Status.OFFERED)
        award = award_transition(
            actor=admin,
            award=award,
            to_status=Award.Status.ACCEPTED,
            terms_accepted=True,
            typed_name="Gail Admin",
        )
        requests.append(
            supplement_propose(
                actor=pm,
                award=award,
                appropriation=appropriation,
                amount="150000.00",
                lines=[LineInput("A", Decimal("390000.00")), LineInput("C", Decimal("160000.00"))],
                justification="More examiners",
                today=date(2025, 3, 1),
            )
        )
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt(request) -> None:
        try:
            barrier.wait()
            budget_modification_decide(
                actor=User.objects.get(pk=approver.pk),
                modification=request,
                approve=True,
                today=date(2025, 3, 2),
            )
            outcomes.append("approved")
        except ValidationError as error:
            outcomes.append("refused" if "too much" in str(error) else f"other: {error!r}")
        except Exception as error:  # noqa: BLE001  any other error is a failure of the test
            outcomes.append(f"error: {error!r}")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=attempt, args=(r,)) for r in requests]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert sorted(outcomes) == ["approved", "refused"]
    awarded = AwardFunding.objects.filter(appropriation=appropriation).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]
    assert awarded == Decimal("950000.00")
    assert Appropriation.objects.get(pk=appropriation.pk).amount == Decimal("1100000.00")
    amounts = sorted(
        Award.objects.filter(pk__in=[r.award_id for r in requests]).values_list(
            "federal_amount", flat=True
        )
    )
    assert amounts == [Decimal("400000.00"), Decimal("550000.00")]
