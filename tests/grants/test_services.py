from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants.audit import AuditEvent
from grants.models import Award, AwardFunding, Hold
from grants.selectors import appropriation_available, money_chain, rule_value
from grants.services import (
    FundingRequest,
    appropriation_create,
    award_create,
    award_transition,
    hold_lift,
    hold_place,
)
from tests import factories


def _award_fields(program, amount, number="15PJDP-25-GK-00099-MECP", **extra):
    return dict(
        award_number=number,
        title="Test award",
        task_force=program.task_force_a,
        period_start=date(2024, 10, 1),
        period_end=date(2026, 9, 30),
        funding=[FundingRequest(program.appropriation.pk, Decimal(amount))],
        **extra,
    )


def test_appropriation_records_set_asides_and_audits(program):
    appropriation = appropriation_create(
        actor=program.pm,
        fiscal_year=2026,
        name="ICAC",
        source="P.L. 119-1",
        source_status="official",
        amount=Decimal("36000000.00"),
        available_from=date(2025, 10, 1),
        set_asides={"training": Decimal("3600000.00"), "management": Decimal("720000.00")},
    )
    assert appropriation_available(appropriation) == Decimal("31680000.00")
    event = AuditEvent.objects.get(
        action="grants.appropriation.created", object_id=str(appropriation.pk)
    )
    assert event.actor == program.pm
    assert event.data["after"]["amount"] == "36000000.00"
    assert event.data["after"]["set_asides"] == {
        "training": "3600000.00",
        "management": "720000.00",
    }


def test_set_asides_cannot_exceed_the_appropriation(program):
    with pytest.raises(ValidationError) as raised:
        appropriation_create(
            actor=program.pm,
            fiscal_year=2026,
            name="ICAC",
            source="x",
            source_status="official",
            amount=Decimal("100.00"),
            available_from=date(2025, 10, 1),
            set_asides={"training": Decimal("60.00"), "national": Decimal("40.01")},
        )
    assert raised.value.message_dict["amount"] == [
        "Set-asides total $100.01, $0.01 more than the appropriation."
    ]


def test_award_may_take_exactly_what_is_left(program):
    # $1,000,000 less $100,000 set aside less two $200,000 awards leaves $500,000.
    award = award_create(actor=program.pm, **_award_fields(program, "500000.00"))
    assert award.federal_amount == Decimal("500000.00")
    assert award.status == Award.Status.DRAFT
    assert award.fiscal_year == 2025
    assert appropriation_available(program.appropriation) == Decimal("0.00")


def test_award_over_committing_says_by_how_much_and_saves_nothing(program):
    awards, lines, events = (
        Award.objects.count(),
        AwardFunding.objects.count(),
        AuditEvent.objects.count(),
    )
    with pytest.raises(ValidationError) as raised:
        award_create(actor=program.pm, **_award_fields(program, "500000.01"))
    assert raised.value.message_dict["funding"] == [
        "FY2025 ICAC Task Force Program has $500,000.00 left after set-asides and earlier awards; "
        "this award asks for $500,000.01, $0.01 too much."
    ]
    # Nothing is saved but the refusal's own event (grants.refusals).
    assert (Award.objects.count(), AwardFunding.objects.count(), AuditEvent.objects.count()) == (
        awards,
        lines,
        events + 1,
    )
    refusal = AuditEvent.objects.first()
    assert refusal.action == "grants.award.refused" and refusal.actor == program.pm
    assert refusal.task_force == program.task_force_a
    assert refusal.data["attempted"] == "create"


def test_two_lines_from_one_appropriation_count_together(program):
    fields = _award_fields(program, "300000.00")
    fields["funding"] = fields["funding"] * 2
    with pytest.raises(ValidationError, match=r"\$100,000.00 too much"):
        award_create(actor=program.pm, **fields)


def test_award_funded_from_two_appropriations(program):
    second = factories.make_appropriation(
        program.pm, fiscal_year=2026, amount="50000.00", set_aside="0"
    )
    fields = _award_fields(program, "500000.00")
    fields["funding"].append(FundingRequest(second.pk, Decimal("50000.00")))
    award = award_create(actor=program.pm, **fields)
    assert award.federal_amount == Decimal("550000.00")
    assert appropriation_available(second) == Decimal("0.00")


@pytest.mark.parametrize("amount", ["0", "-1.00", "1.001"])
def test_award_refuses_bad_amounts(program, amount):
    with pytest.raises(ValidationError) as raised:
        award_create(actor=program.pm, **_award_fields(program, amount))
    assert "funding" in raised.value.message_dict


def test_award_period_must_end_after_it_starts(program):
    fields = _award_fields(program, "1.00")
    fields["period_end"] = fields["period_start"]
    with pytest.raises(ValidationError) as raised:
        award_create(actor=program.pm, **fields)
    assert raised.value.message_dict["period_end"] == [
        "The period must end after it starts (10/01/2024)."
    ]


def test_award_number_must_be_in_doj_format(program):
    with pytest.raises(ValidationError) as raised:
        award_create(actor=program.pm, **_award_fields(program, "1.00", number="ABC-123"))
    assert "DOJ award number" in raised.value.messages[0]


@pytest.mark.parametrize(
    "typed, stored, fiscal_year",
    [
        ("2018-MC-FX-K060", "2018-MC-FX-K060", 2018),
        ("2009-SN-B9-K031", "2009-SN-B9-K031", 2009),
        ("98-mc-cx-k003", "98-MC-CX-K003", 1998),
        (" 15pjdp-24-gk-01234-mecp ", "15PJDP-24-GK-01234-MECP", 2024),
        ("2012\u2013MC\u2013FX\u2013K003", "2012-MC-FX-K003", 2012),
        ("2012 - MC - FX - K003", "2012-MC-FX-K003", 2012),
    ],
)
def test_award_numbers_as_published_are_normalised_and_read(program, typed, stored, fiscal_year):
    award = award_create(actor=program.pm, **_award_fields(program, "1.00", number=typed))
    assert (award.award_number, award.fiscal_year) == (stored, fiscal_year)


@pytest.mark.parametrize(
    "typed", ["ABC-123", "2018-MC-FX-K06", "18-MC-FX-K060", "15PJDP-24-GK-1234-MECP"]
)
def test_award_numbers_in_no_doj_form_are_refused(program, typed):
    with pytest.raises(ValidationError, match="DOJ award number"):
        award_create(actor=program.pm, **_award_fields(program, "1.00", number=typed))


def test_only_program_managers_create_awards(program):
    for person in (program.officer_a, program.auditor, program.approver):
        with pytest.raises(PermissionDenied):
            award_create(actor=person, **_award_fields(program, "1.00"))


def test_award_lifecycle_allows_only_listed_moves(program):
    award = program.award_a
    with pytest.raises(ValidationError, match="An award that is draft cannot become active."):
        award_transition(actor=program.pm, award=award, to_status=Award.Status.ACTIVE)
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.OFFERED)
    with pytest.raises(PermissionDenied, match="grant administrator"):
        award_transition(
            actor=program.pm,
            award=award,
            to_status=Award.Status.ACCEPTED,
            terms_accepted=True,
            typed_name="Gail Admin",
        )
    with pytest.raises(PermissionDenied):
        award_transition(
            actor=program.officer_b,
            award=award,
            to_status=Award.Status.ACCEPTED,
            terms_accepted=True,
            typed_name="Gail Admin",
        )
    award = award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status=Award.Status.ACCEPTED,
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.ACTIVE)
    award.refresh_from_db()
    assert award.status == "active"
    event = AuditEvent.objects.filter(action="grants.award.active").get()
    assert event.data == {"before": {"status": "accepted"}, "after": {"status": "active"}}


def test_hold_is_placed_and_lifted_with_reasons(program):
    hold = hold_place(actor=program.pm, award=program.award_a, reason="Monitoring finding")
    assert Hold.objects.filter(award=program.award_a, lifted_at__isnull=True).count() == 1
    with pytest.raises(ValidationError, match="Say why"):
        hold_lift(actor=program.pm, hold=hold, reason=" ")
    with pytest.raises(PermissionDenied):
        hold_lift(actor=program.auditor, hold=hold, reason="no")
    hold_lift(actor=program.pm, hold=hold, reason="Inventory received")
    hold.refresh_from_db()
    assert hold.lifted_by == program.pm and hold.lift_reason == "Inventory received"
    with pytest.raises(ValidationError, match="already lifted"):
        hold_lift(actor=program.pm, hold=hold, reason="again")
    assert [
        e.action for e in AuditEvent.objects.filter(action__startswith="grants.hold").order_by("pk")
    ] == [
        "grants.hold.placed",
        "grants.hold.lifted",
    ]


def test_money_chain_for_a_year_and_all_years(program):
    factories.make_appropriation(
        program.pm, fiscal_year=2026, amount="2000000.00", set_aside="150000.00"
    )
    year = money_chain(user=program.pm, fiscal_year=2025)
    assert (year.appropriated, year.set_aside, year.awarded, year.not_yet_awarded) == (
        Decimal("1000000.00"),
        Decimal("100000.00"),
        Decimal("400000.00"),
        Decimal("500000.00"),
    )
    assert year.awarded_in_draft == Decimal("400000.00")
    award_transition(actor=program.pm, award=program.award_a, to_status=Award.Status.OFFERED)
    assert money_chain(user=program.pm, fiscal_year=2025).awarded_in_draft == Decimal("200000.00")
    every = money_chain(user=program.auditor)
    assert (every.appropriated, every.set_aside, every.not_yet_awarded) == (
        Decimal("3000000.00"),
        Decimal("250000.00"),
        Decimal("2350000.00"),
    )
    assert money_chain(user=program.officer_a).appropriated == Decimal("0.00")


def test_rule_values_follow_their_effective_dates(db):
    assert rule_value("simplified_acquisition_threshold", on=date(2025, 9, 30)) == Decimal("250000")
    assert rule_value("simplified_acquisition_threshold", on=date(2025, 10, 1)) == Decimal("350000")
    assert rule_value("equipment_threshold", on=date(2024, 9, 30)) == Decimal("5000")
    assert rule_value("equipment_threshold", on=date(2024, 10, 1)) == Decimal("10000")
    with pytest.raises(LookupError):
        rule_value("equipment_threshold", on=date(1990, 1, 1))


def test_a_request_reads_every_rule_value_once(db, django_assert_num_queries):
    """Inside rules_read_once (every request) the first rule_value reads them all and the
    rest ask nothing; a value saved meanwhile is read again; outside, each one asks."""
    from grants.models import RuleValue
    from grants.selectors import rules_read_once

    autumn = date(2025, 10, 1)
    with rules_read_once():
        with django_assert_num_queries(1):
            assert rule_value("simplified_acquisition_threshold", on=autumn) == Decimal("350000")
            assert rule_value("equipment_threshold", on=autumn) == Decimal("10000")
            assert rule_value("cash_on_hand_days", on=autumn) == Decimal("10")
            with pytest.raises(LookupError, match="equipment_threshold"):
                rule_value("equipment_threshold", on=date(1990, 1, 1))
            with pytest.raises(LookupError, match="no_such_rule"):
                rule_value("no_such_rule", on=autumn)
        RuleValue.objects.filter(key="cash_on_hand_days").first().save()  # read again
        row = RuleValue.objects.get(key="cash_on_hand_days", effective_to__isnull=True)
        row.value = Decimal("5")
        row.save()
        assert rule_value("cash_on_hand_days", on=autumn) == Decimal("5")
    with django_assert_num_queries(2):
        rule_value("simplified_acquisition_threshold", on=autumn)
        rule_value("equipment_threshold", on=autumn)


def test_program_manager_requires_drawdown_approval_with_a_reason(program):
    from grants.services import award_set_drawdown_approval

    with pytest.raises(ValidationError, match="Say why"):
        award_set_drawdown_approval(
            actor=program.pm, award=program.award_a, required=True, reason=""
        )
    with pytest.raises(PermissionDenied):
        award_set_drawdown_approval(
            actor=program.approver, award=program.award_a, required=True, reason="x"
        )
    award = award_set_drawdown_approval(
        actor=program.pm, award=program.award_a, required=True, reason="High risk"
    )
    assert award.drawdowns_need_approval is True
    event = AuditEvent.objects.get(action="grants.award.drawdown_approval_changed")
    assert (
        event.data["after"] == {"drawdowns_need_approval": True}
        and event.data["reason"] == "High risk"
    )


def test_an_award_is_not_offered_without_its_match_in_the_budget(program):
    from dataclasses import replace

    from budgets.services import LineInput, budget_version_create
    from grants.money import format_money

    D = Decimal
    award = program.award_a
    Award.objects.filter(pk=award.pk).update(match_required=D("50000.00"))
    award.refresh_from_db()
    current = award.budget_versions.current()
    lines = [
        LineInput(line.category, line.federal_amount, line.non_federal_amount, line.narrative)
        for line in current.lines.all()
    ]
    budgeted = sum((line.non_federal_amount for line in lines), D("0.00"))
    with pytest.raises(ValidationError) as refused:
        award_transition(actor=program.pm, award=award, to_status=Award.Status.OFFERED)
    shortfall = D("50000.00") - budgeted
    assert refused.value.messages == [
        f"The approved budget's non-federal share, {format_money(budgeted)}, is "
        f"{format_money(shortfall)} short of the $50,000.00 match the award requires: "
        "budget the match before the award is offered."
    ]
    award.refresh_from_db()
    assert award.status == Award.Status.DRAFT

    lines[0] = replace(lines[0], non_federal_amount=lines[0].non_federal_amount + shortfall)
    budget_version_create(actor=program.pm, award=award, lines=lines, approve=True)
    assert (
        award_transition(actor=program.pm, award=award, to_status=Award.Status.OFFERED).status
        == Award.Status.OFFERED
    )
