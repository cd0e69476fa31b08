from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from budgets.models import BudgetLine, BudgetVersion
from budgets.services import LineInput, budget_version_create
from grants.audit import AuditEvent
from grants.models import Award
from tests import factories


def test_first_budget_is_approved_and_current(program):
    version = program.award_a.budget_versions.get()
    assert version.status == BudgetVersion.Status.APPROVED
    assert {(line.category, line.federal_amount) for line in version.lines.all()} == {
        ("A", Decimal("120000.00")),
        ("C", Decimal("80000.00")),
    }


def test_new_approved_version_supersedes_the_old_and_keeps_it(program):
    lines = [
        LineInput("A", Decimal("150000.00")),
        LineInput("D", Decimal("50000.00"), Decimal("2500.00")),
    ]
    version = budget_version_create(
        actor=program.pm, award=program.award_a, lines=lines, approve=True
    )
    statuses = dict(program.award_a.budget_versions.values_list("number", "status"))
    assert statuses == {1: "superseded", 2: "approved"}
    assert version.lines.get(category="D").non_federal_amount == Decimal("2500.00")
    event = AuditEvent.objects.get(action="budgets.version.approved", object_id=str(version.pk))
    assert event.data["after"]["lines"] == {
        "A": ["150000.00", "0.00"],
        "D": ["50000.00", "2500.00"],
    }


@pytest.mark.parametrize(
    "federal, message",
    [
        (
            "199999.99",
            "The federal lines add up to $199,999.99, but the award is $200,000.00: $0.01 short.",
        ),
        (
            "200000.01",
            "The federal lines add up to $200,000.01, but the award is $200,000.00: $0.01 too much.",
        ),
    ],
)
def test_approved_budget_must_add_up_exactly(program, federal, message):
    before = BudgetLine.objects.count(), BudgetVersion.objects.count()
    with pytest.raises(ValidationError) as raised:
        budget_version_create(
            actor=program.pm,
            award=program.award_a,
            lines=[LineInput("A", Decimal(federal))],
            approve=True,
        )
    assert raised.value.message_dict["lines"] == [message]
    assert (BudgetLine.objects.count(), BudgetVersion.objects.count()) == before


def test_draft_budget_need_not_add_up(program):
    version = budget_version_create(
        actor=program.pm,
        award=program.award_a,
        lines=[LineInput("A", Decimal("5.00"))],
        approve=False,
    )
    assert version.status == "draft"
    assert program.award_a.budget_versions.filter(status="approved").count() == 1


@pytest.mark.parametrize(
    "line, message",
    [
        (LineInput("K", Decimal("1.00")), "'K' is not a budget category (A–J)."),
        (LineInput("A", Decimal("-1.00")), "A. Personnel: amounts cannot be negative."),
        (
            LineInput("A", Decimal("1.001")),
            "A. Personnel, federal-amount: 1.001 has more than 2 decimal places.",
        ),
    ],
)
def test_bad_lines_are_refused(program, line, message):
    with pytest.raises(ValidationError) as raised:
        budget_version_create(actor=program.pm, award=program.award_a, lines=[line], approve=False)
    assert raised.value.message_dict["lines"] == [message]


def test_task_force_staff_cannot_approve_budgets(program):
    with pytest.raises(PermissionDenied):
        budget_version_create(
            actor=program.officer_a, award=program.award_a, lines=[], approve=False
        )


def test_a_failed_budget_leaves_no_award_behind(program):
    """Award and budget are created together or not at all."""
    with pytest.raises(ValidationError):
        factories.make_award(
            program.pm,
            task_force=program.task_force_a,
            appropriation=program.appropriation,
            amount="1000.00",
            lines=[LineInput("A", Decimal("999.99"))],
        )
    assert Award.objects.count() == 2


def test_database_allows_one_approved_version_per_award(program):
    with pytest.raises(IntegrityError), transaction.atomic():
        BudgetVersion.objects.filter(award=program.award_a).update(status="approved")
        BudgetVersion.objects.create(
            award=program.award_a,
            number=9,
            status="approved",
            created_by=program.pm,
            approved_at=program.award_a.created_at,
        )
