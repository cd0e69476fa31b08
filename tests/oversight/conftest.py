"""A recipient to review: task force A's lead agency, its award active."""

from datetime import date

import pytest

from grants import access
from grants.models import Membership
from oversight import services
from tests import factories
from tests.budgets.ledger_helpers import activate

REVIEWED_ON = date(2025, 1, 10)


@pytest.fixture
def active(program):
    program.award_a = activate(program, program.award_a)
    return program


@pytest.fixture
def pm_on_recipient_staff(program):
    """A program manager who is also a grant administrator of task force A."""
    return factories.make_user(
        "pm_staff_a",
        groups=[access.PROGRAM_MANAGER],
        memberships=[(program.task_force_a, Membership.Role.GRANT_ADMINISTRATOR)],
    )


def record_review(program, **fields):
    values = dict(
        actor=program.pm,
        recipient=program.award_a.recipient,
        fiscal_year=2025,
        reviewed_on=REVIEWED_ON,
        financial_stability="sound",
        sam_active=True,
        sam_checked_on=REVIEWED_ON,
    )
    values.update(fields)
    return services.risk_review_record(**values)
