"""A draft award's budget, set by a program manager before the offer (the awards a
published allocation creates have none)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.services import LineInput, budget_version_create
from grants.models import Award
from grants.services import FundingRequest, award_create, award_transition

D = Decimal


@pytest.fixture
def unbudgeted(program):
    return award_create(
        actor=program.pm,
        award_number="15PJDP-25-GK-00900-MECP",
        title="ICAC Task Force Program",
        task_force=program.task_force_a,
        period_start=date(2024, 10, 1),
        period_end=date(2026, 9, 30),
        funding=[FundingRequest(program.appropriation.pk, D("100000.00"))],
    )


def _grid(**federal):
    data = {f"budget-federal_{code}": amount for code, amount in federal.items()}
    data.update({f"budget-narrative_{code}": "Investigators" for code in federal})
    return data


def test_program_manager_sets_the_budget_and_the_award_can_then_go_active(
    client, program, unbudgeted
):
    with pytest.raises(ValidationError) as raised:
        award_transition(actor=program.pm, award=unbudgeted, to_status="offered")
    assert raised.value.messages == ["An award needs an approved budget before it is offered."]
    client.force_login(program.pm)
    url = reverse("modifications:pre_award", args=[unbudgeted.award_number])
    assert "Set the budget" in client.get(unbudgeted.get_absolute_url()).content.decode()
    short = client.post(url, _grid(A="99999.99"))
    assert (
        "The federal lines add up to $99,999.99, but the award is $100,000.00: $0.01 short."
        in short.content.decode()
    )
    assert not unbudgeted.budget_versions.exists()
    response = client.post(url, _grid(A="60000.00", C="40000.00"), follow=True)
    assert "Budget version 1 is now current." in response.content.decode()
    version = unbudgeted.budget_versions.get(status="approved")
    assert {line.category: line.federal_amount for line in version.lines.all()} == {
        "A": D("60000.00"),
        "C": D("40000.00"),
    }
    award = award_transition(actor=program.pm, award=unbudgeted, to_status="offered")
    award = award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status="accepted",
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    assert award_transition(actor=program.pm, award=award, to_status="active").status == "active"


def test_after_the_offer_the_budget_changes_only_by_modification(client, program):
    award = award_transition(actor=program.pm, award=program.award_a, to_status="offered")
    with pytest.raises(ValidationError) as raised:
        budget_version_create(
            actor=program.pm, award=award, approve=True, lines=[LineInput("A", D("200000.00"))]
        )
    assert raised.value.messages == [
        f"Award {award} is offered; its budget now changes through a budget modification."
    ]
    assert award.budget_versions.count() == 1
    client.force_login(program.pm)
    page = client.get(award.get_absolute_url()).content.decode()
    assert "Set the budget" not in page and "Revise the budget" not in page
    assert Award.objects.get(pk=award.pk).status == "offered"
