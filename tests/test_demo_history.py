"""The demo's past years (load_demo --history, demo/history.py), imported through the
past-award import so every rule of the money chain holds on them."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command

from budgets.balances import ledger_sums
from budgets.reconcile import reconcile_all
from demo.history import award_number, load_history, task_forces_in
from demo.management.commands.load_demo import FIRST_COHORT, Command
from grants.models import Appropriation, Award, FundingReturn
from grants.money import ZERO, MoneySum
from grants.selectors import appropriation_available


def _program():
    command = Command()
    pm = command.people()
    task_forces = command.task_forces()
    command.grant_administrators(task_forces)
    command.appropriations(pm)
    return pm, task_forces


def test_award_numbers_follow_the_form_of_their_year():
    assert award_number(2005, 12) == "2005-MC-CX-K012"
    assert award_number(2019, 3) == "2019-MC-CX-K003"
    assert award_number(2021, 12) == "15PJDP-21-GK-00012-MECP"
    assert award_number(2009, 7, recovery_act=True) == "2009-SN-B9-K007"


def test_the_program_grows_from_the_first_cohort_to_every_task_force(db):
    _pm, task_forces = _program()
    listed = list(task_forces.values())
    assert {t.code for t in task_forces_in(1999, listed, FIRST_COHORT)} == set(FIRST_COHORT)
    assert len(task_forces_in(2000, listed, FIRST_COHORT)) == 30
    assert len(task_forces_in(2008, listed, FIRST_COHORT)) == 59
    assert len(task_forces_in(2024, listed, FIRST_COHORT)) == 61


@pytest.mark.slow
def test_past_years_are_closed_awards_that_tie_to_their_appropriations(db):
    pm, task_forces = _program()
    out = []
    made = load_history(
        actor=pm,
        task_forces=task_forces,
        first_cohort=FIRST_COHORT,
        until=2000,
        today=date(2026, 11, 30),
        progress=out.append,
    )
    # FY1999: the first cohort; FY2000: thirty task forces; FY2009's Recovery Act: 61.
    assert made == 10 + 30 + 61
    assert out[0] == (
        "  FY1999 ICAC Task Force Program: 10 past awards closed with their final figures"
    )
    awards = Award.objects.filter(fiscal_year__in=[1999, 2000], assistance_listing="16.543")
    assert awards.count() == 40
    assert set(awards.values_list("status", flat=True)) == {Award.Status.CLOSED}

    for year in (1999, 2000):
        appropriation = Appropriation.objects.get(fiscal_year=year, name="ICAC Task Force Program")
        awarded = appropriation.funding_lines.aggregate(t=MoneySum("amount", default=ZERO))["t"]
        returned = FundingReturn.objects.filter(
            funding_line__appropriation=appropriation
        ).aggregate(t=MoneySum("amount", default=ZERO))["t"]
        # 97% of what was left after set-asides was awarded; what was not spent came back.
        assert awarded > ZERO and returned > ZERO
        assert appropriation_available(appropriation) >= ZERO
        for award in Award.objects.filter(fiscal_year=year, assistance_listing="16.543"):
            sums = ledger_sums(award)
            spent, given_back = sums["federal_expenditures"], sums["deobligated"]
            made_for = spent + given_back
            assert made_for % 1000 == 0  # awards were made in whole thousands
            assert Decimal("0.90") * made_for <= spent < made_for
            assert sums["drawn"] == spent  # every dollar spent was drawn, none left on hand
            # Closed: what was not spent was deobligated, so the award is what it spent.
            assert award.federal_amount == spent

    # The Recovery Act's awards are under its own Assistance Listing.
    recovery = Award.objects.filter(award_number__startswith="2009-SN-B9-K")
    assert recovery.count() == 61
    assert set(recovery.values_list("assistance_listing", flat=True)) == {"16.800"}
    assert reconcile_all()[1] == []
    call_command("check_ledgers", stdout=StringIO())

    # A second run makes nothing new.
    assert (
        load_history(
            actor=pm,
            task_forces=task_forces,
            first_cohort=FIRST_COHORT,
            until=2000,
            today=date(2026, 11, 30),
        )
        == 0
    )
