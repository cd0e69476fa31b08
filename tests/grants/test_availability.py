"""An appropriation funds only awards of its own program made in its period of
availability (docs/rules/program-and-funding.md#period-of-availability)."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets.services import LineInput, award_create_with_budget
from grants.models import Appropriation, Award
from grants.services import FundingRequest, appropriation_create

D = Decimal


@pytest.fixture
def fy2008(program):
    return appropriation_create(
        actor=program.pm,
        fiscal_year=2008,
        name="ICAC Task Force Program",
        source="P.L. 110-161",
        source_status=Appropriation.SourceStatus.OFFICIAL,
        amount="16000000.00",
        available_from=date(2007, 10, 1),
        available_until=date(2009, 9, 30),
    )


def create(program, appropriation, *, today, amount="100000.00"):
    return award_create_with_budget(
        actor=program.pm,
        lines=[LineInput("A", D(amount))],
        award_number=f"2008-MC-CX-K{Award.objects.count():03d}",
        title="ICAC Task Force Program",
        task_force=program.task_force_a,
        period_start=date(2008, 10, 1),
        period_end=date(2010, 9, 30),
        funding=[FundingRequest(appropriation.pk, D(amount))],
        today=today,
    )


def test_an_award_made_on_the_last_day_of_availability_is_funded(program, fy2008):
    award = create(program, fy2008, today=date(2009, 9, 30))
    assert award.federal_amount == D("100000.00")


def test_money_that_expired_funds_no_new_award_and_nothing_is_written(program, fy2008):
    awards = Award.objects.count()
    with pytest.raises(ValidationError) as raised:
        create(program, fy2008, today=date(2009, 10, 1))
    assert raised.value.message_dict["funding"] == [
        "FY2008 ICAC Task Force Program was available for new awards until 09/30/2009; it "
        "cannot fund one made on 10/01/2009: its money has expired."
    ]
    assert Award.objects.count() == awards


def test_money_not_yet_available_funds_no_award(program, fy2008):
    with pytest.raises(ValidationError) as raised:
        create(program, fy2008, today=date(2007, 9, 30))
    assert raised.value.message_dict["funding"] == [
        "FY2008 ICAC Task Force Program is available for new awards from 10/01/2007; it "
        "cannot fund one made on 09/30/2007."
    ]


def test_recovery_act_money_funds_only_its_own_program(program):
    arra = appropriation_create(
        actor=program.pm,
        fiscal_year=2009,
        name="ICAC Recovery Act (ARRA)",
        source="P.L. 111-5",
        source_status=Appropriation.SourceStatus.OFFICIAL,
        amount="50000000.00",
        available_from=date(2009, 2, 17),
        available_until=date(2010, 9, 30),
        assistance_listing="16.800",
    )
    with pytest.raises(ValidationError) as raised:
        create(program, arra, today=date(2009, 8, 1))
    assert raised.value.message_dict["funding"] == [
        "FY2009 ICAC Recovery Act (ARRA) is for Assistance Listing 16.800; this award is "
        "under 16.543."
    ]
