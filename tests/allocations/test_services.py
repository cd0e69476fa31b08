"""Allocation services against the database: the worked example end to end, publishing,
waivers, and bad input that changes nothing."""

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from allocations.models import AllocationLine, AllocationRun, FactorData
from allocations.selectors import line_list_for_run, statutory_minimums
from allocations.services import run_publish, run_waive_match
from grants.audit import AuditEvent
from grants.models import Appropriation, Award, AwardFunding
from grants.services import appropriation_create
from tests import factories
from tests.allocations.helpers import make_factors, make_run, program_run


def _count():
    return (
        AllocationRun.objects.count(),
        AllocationLine.objects.count(),
        Award.objects.count(),
        AuditEvent.objects.count(),
    )


@pytest.fixture
def sixty_one(program):
    """61 task forces with FY2026 factor data as in the worked example
    (docs/rules/worked-examples.md#formula-allocation: the first has a 3.0% weighted share
    and a need score giving it $200,000), and a $36,000,000 pool."""
    pm = program.pm
    task_forces = [program.task_force_a, program.task_force_b]
    task_forces += [
        factories.make_task_force(f"Task Force {i:02d}", f"zz-{i:02d}", "ZZ") for i in range(59)
    ]
    for index, task_force in enumerate(task_forces):
        if task_force == program.task_force_a:
            value, need = 300, "200000"
        else:
            value = 162 if index <= 40 else 161
            need = "147000" if index <= 40 else "146000"
        make_factors(pm, task_force, fiscal_year=2026, value=value, need=need)
    appropriation = appropriation_create(
        actor=pm,
        fiscal_year=2026,
        name="ICAC Task Force Program",
        source="Worked example",
        source_status=Appropriation.SourceStatus.OFFICIAL,
        amount=Decimal("40000000.00"),
        available_from=date(2025, 10, 1),
        set_asides={"training": Decimal("4000000.00")},
    )
    return program, appropriation


def test_worked_example_end_to_end_and_published(sixty_one):
    program, appropriation = sixty_one
    run = make_run(program.pm, appropriation, name="Worked example")
    assert (run.pool, run.formula_funds, run.need_funds, run.floor_amount) == (
        Decimal("36000000.00"),
        Decimal("27000000.00"),
        Decimal("9000000.00"),
        Decimal("135000.00"),
    )
    line = line_list_for_run(run=run).get(task_force=program.task_force_a)
    assert (line.floor_amount, line.formula_amount, line.formula_total) == (
        Decimal("135000.00"),
        Decimal("562950.00"),
        Decimal("697950.00"),
    )
    assert (line.need_amount, line.match_required, line.weighted_share) == (
        Decimal("200000.00"),
        Decimal("50000.00"),
        Decimal("3.00000"),
    )
    # Last year (FY2025) task force A had a $200,000 award.
    assert (line.prior_year, line.change) == (Decimal("200000.00"), Decimal("697950.00"))
    lines = run.lines.all()
    assert sum(x.total for x in lines) == Decimal("36000000.00")
    assert sum(x.floor_amount for x in lines) == Decimal("8235000.00")

    run_publish(actor=program.pm, run=run)
    run.refresh_from_db()
    assert run.status == "published" and run.published_by == program.pm
    awards = Award.objects.filter(fiscal_year=2026)
    assert awards.count() == 61 and set(awards.values_list("status", flat=True)) == {"draft"}
    award = AllocationLine.objects.get(run=run, task_force=program.task_force_a).award
    assert (award.federal_amount, award.match_required) == (
        Decimal("897950.00"),
        Decimal("50000.00"),
    )
    assert award.award_number == "15PJDP-26-GK-00002-MECP"  # numbered by state: MD, VA, ZZ...
    assert (award.period_start, award.period_end) == (date(2025, 10, 1), date(2027, 9, 30))
    funded = AwardFunding.objects.filter(appropriation=appropriation)
    assert sum(f.amount for f in funded) == Decimal("36000000.00")
    event = AuditEvent.objects.get(action="allocations.run.published")
    assert event.actor == program.pm and event.data["awards"] == 61
    assert event.data["total"] == "36000000.00"
    assert AuditEvent.objects.filter(action="grants.award.created").count() == 61 + 2


def test_publishing_twice_is_refused(program):
    run = program_run(program)
    run_publish(actor=program.pm, run=run)
    before = _count()
    with pytest.raises(ValidationError, match="a published allocation does not change"):
        run_publish(actor=program.pm, run=run)
    other = make_run(program.pm, program.appropriation, name="Another", pool="10000.00")
    with pytest.raises(
        ValidationError, match="FY2025 already has a published allocation, “Baseline”"
    ):
        run_publish(actor=program.pm, run=other)
    # Only the new scenario (and its event), and the two refusals' events (grants.refusals).
    assert _count()[1:] == (before[1] + 2, before[2], before[3] + 1 + 2)
    refusals = AuditEvent.objects.filter(action="allocations.run.refused").order_by("pk")
    assert [(e.object_id, e.data["attempted"]) for e in refusals] == [
        (str(run.pk), "publish"),
        (str(other.pk), "publish"),
    ]


def test_publish_refused_when_the_appropriation_has_less_left(program):
    run = program_run(program)  # $400,000 of the $500,000 left
    factories.make_award(
        program.pm,
        task_force=program.task_force_b,
        appropriation=program.appropriation,
        amount="150000.00",
    )
    before = _count()
    with pytest.raises(ValidationError) as caught:
        run_publish(actor=program.pm, run=run)
    assert caught.value.messages == [
        "FY2025 ICAC Task Force Program has $350,000.00 left after set-asides and earlier "
        "awards; this allocation needs $400,000.00, $50,000.00 too much. Create a scenario "
        "with a smaller pool."
    ]
    # Nothing is written but the refusal's own event (grants.refusals).
    assert _count() == (*before[:3], before[3] + 1)
    assert AuditEvent.objects.first().action == "allocations.run.refused"
    run.refresh_from_db()
    assert run.status == "draft"


def test_only_program_managers_create_publish_and_waive(program):
    run = program_run(program)
    for person in (program.approver, program.auditor, program.officer_a):
        with pytest.raises(PermissionDenied):
            run_publish(actor=person, run=run)
        with pytest.raises(PermissionDenied):
            run_waive_match(actor=person, run=run, task_force=program.task_force_a, reason="x")
        with pytest.raises(PermissionDenied):
            make_run(person, program.appropriation, name="Mine")
        with pytest.raises(PermissionDenied):
            make_factors(person, program.task_force_a)
    assert AllocationRun.objects.count() == 1


def test_match_waiver_sets_match_to_zero_with_reason_and_audit(program):
    run = program_run(program)
    line = run.lines.get(task_force=program.task_force_a)
    assert line.match_required == Decimal("18750.00")  # 25% of 3/4 of $100,000
    with pytest.raises(ValidationError, match="Say why the match is waived."):
        run_waive_match(actor=program.pm, run=run, task_force=program.task_force_a, reason=" ")
    run_waive_match(
        actor=program.pm,
        run=run,
        task_force=program.task_force_a,
        reason="Financial hardship: county budget freeze",
    )
    line.refresh_from_db()
    assert (line.match_required, line.match_waived, line.total) == (
        Decimal("0.00"),
        True,
        Decimal("299250.00"),
    )  # $1,500 floor + $222,750 + $75,000
    event = AuditEvent.objects.get(action="allocations.match.waived")
    assert event.data["before"]["match_required"] == "18750.00"
    assert event.task_force == program.task_force_a
    run_publish(actor=program.pm, run=run)
    award = AllocationLine.objects.get(pk=line.pk).award
    assert award.match_required == Decimal("0.00")
    assert award.special_conditions == (
        "Match on need-based funds waived: Financial hardship: county budget freeze"
    )


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {
                "weights": {
                    "population": Decimal("50"),
                    "leads": Decimal("20"),
                    "cases_referred": Decimal("20"),
                    "prosecutions": Decimal("10"),
                    "training": Decimal("10"),
                }
            },
            "__all__",
            "The weights add up to 110%; they must add up to 100%.",
        ),
        (
            {"formula_pct": Decimal("70")},
            "formula_pct",
            "At least 75% of the pool goes out by formula (34 U.S.C. 21116); 70% is too little.",
        ),
        (
            {"pool": "500000.01"},
            "pool",
            "FY2025 ICAC Task Force Program has $500,000.00 left after set-asides and earlier "
            "awards; the pool is $500,000.01, $0.01 too much.",
        ),
        (
            {"pool": "0.01"},
            "pool",
            "The pool is too small for the floors: 2 task forces × $0.01 (0.5% of the formula "
            "funds, $0.01) is $0.02.",
        ),
    ],
)
def test_bad_scenario_input_changes_nothing(program, overrides, field, message):
    program_run(program)
    before = _count()
    with pytest.raises(ValidationError) as caught:
        make_run(program.pm, program.appropriation, name="Bad", **overrides)
    assert caught.value.message_dict[field] == [message]
    assert _count() == before


def test_missing_factor_data_is_named(program):
    make_factors(program.pm, program.task_force_a)
    with pytest.raises(ValidationError) as caught:
        make_run(program.pm, program.appropriation)
    assert caught.value.messages == [
        "There is no FY2025 factor data for 1 task force: Bravo ICAC Task Force. "
        "Enter or import it before allocating."
    ]
    assert not AllocationRun.objects.exists()


def test_factor_data_edit_is_audited_with_before_and_after(program):
    make_factors(program.pm, program.task_force_a, value=10)
    make_factors(program.pm, program.task_force_a, value=12)
    assert FactorData.objects.get().population == 12
    event = AuditEvent.objects.filter(action="allocations.factors.updated").get()
    assert event.data["before"]["population"] == 10 and event.data["after"]["population"] == 12


def test_statutory_minimums_come_from_dated_rule_values(db):
    assert statutory_minimums(2025) == {
        "min_formula_pct": Decimal("75"),
        "min_floor_pct": Decimal("0.5"),
        "min_match_pct": Decimal("25"),
    }
    # FY2009's funds went out under the PROTECT Act (in force from 2008-10-13); FY2008's
    # were before it, with no statutory minimum.
    assert statutory_minimums(2009)["min_formula_pct"] == Decimal("75")
    assert set(statutory_minimums(2008).values()) == {Decimal("0")}


def test_factor_data_for_a_year_outside_the_program_is_refused(program):
    with pytest.raises(ValidationError) as caught:
        make_factors(program.pm, program.task_force_a, fiscal_year=1990)
    assert caught.value.messages == ["FY1990 is not a fiscal year of the program (1998–2100)."]
    assert not FactorData.objects.exists()
