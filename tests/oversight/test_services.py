"""Risk reviews, special conditions and monitoring through the services."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from budgets import ledger
from grants.audit import AuditEvent
from grants.models import Hold
from grants.services import hold_lift, hold_place, hold_place_by_system
from oversight import services
from oversight.duties import run_daily
from oversight.models import Finding, MonitoringActivity, RiskReview, SpecialCondition
from reports.services import award_close, closeout_checklist
from tests.oversight.conftest import REVIEWED_ON, record_review

CONDITION = "Send the signed financial management policies before any drawdown."


def _impose(program, **fields):
    values = dict(
        actor=program.pm,
        award=program.award_a,
        text=CONDITION,
        withholds_funds=True,
        clearer_role="Financial approver",
        clear_by=date(2025, 3, 31),
        today=date(2025, 1, 15),
    )
    values.update(fields)
    return services.condition_impose(**values)


def _draw(program, amount="1000.00"):
    return ledger.drawdown_request(
        actor=program.officer_a,
        award=program.award_a,
        amount=Decimal(amount),
        idempotency_key=uuid.uuid4(),
        today=date(2025, 1, 20),
    )


# --- Risk reviews ---------------------------------------------------------------------


def test_the_history_of_performance_counts_the_recipients_holds(active):
    award = active.award_a
    hold_place_by_system(
        award=award, cause=Hold.Cause.LATE_REPORT, reason="late", placed_by="t", report_key="ffr"
    )
    hold_place_by_system(award=award, cause=Hold.Cause.EXCESS_CASH, reason="cash", placed_by="t")
    hold_place(actor=active.pm, award=award, reason="Site visit pending")
    # Task force B's holds are another recipient's history.
    hold_place(actor=active.pm, award=active.award_b, reason="Other recipient")
    review = record_review(active, reviewed_on=date.today(), sam_checked_on=date.today())
    assert (
        review.late_reports,
        review.excess_cash_holds,
        review.program_holds,
        review.returned_reports,
    ) == (
        1,
        1,
        1,
        0,
    )
    # Three events: 2 points, a moderate risk.
    assert (review.score, review.computed_level, review.status) == (2, "moderate", "draft")
    assert AuditEvent.objects.filter(action="oversight.risk_review.recorded").count() == 1


def test_a_second_review_of_the_same_year_is_refused(program):
    record_review(program)
    with pytest.raises(ValidationError) as refused:
        record_review(program)
    assert "already has a risk review for FY2025" in str(refused.value)
    assert RiskReview.objects.count() == 1


def test_a_decision_imposes_the_chosen_conditions_and_plans_monitoring(active):
    review = record_review(active, financial_stability="serious", audit_findings=2)
    assert review.computed_level == "high"
    services.risk_review_decide(
        actor=active.pm,
        review=review,
        level="high",
        signature="pm",
        condition_keys=("financial_plan", "audit_cap"),
        clear_by=date(2025, 4, 30),
        today=date(2025, 1, 15),
    )
    review.refresh_from_db()
    assert (review.status, review.level, review.desk_review_months, review.site_visit_months) == (
        "decided",
        "high",
        3,
        12,
    )
    conditions = list(active.award_a.special_condition_records.all())
    assert [(c.number, c.withholds_funds, c.clearer_role) for c in conditions] == [
        (1, True, "Financial approver"),
        (2, False, "Program manager"),
    ]
    assert conditions[0].hold.is_active
    # The award runs to 09/30/2026: desk reviews every 3 months from the review, site
    # visits every 12.
    plan = [(a.kind, a.planned_on) for a in active.award_a.monitoring_activities.all()]
    assert [d for k, d in plan if k == "desk_review"] == [
        date(2025, 4, 10),
        date(2025, 7, 10),
        date(2025, 10, 10),
        date(2026, 1, 10),
        date(2026, 4, 10),
        date(2026, 7, 10),
    ]
    assert [d for k, d in plan if k == "site_visit"] == [date(2026, 1, 10)]
    # Task force B's award belongs to another recipient: untouched.
    assert not active.award_b.special_condition_records.exists()


def test_the_recipients_own_staff_may_not_decide_its_review(program, pm_on_recipient_staff):
    review = record_review(program)
    with pytest.raises(PermissionDenied) as refused:
        services.risk_review_decide(
            actor=pm_on_recipient_staff, review=review, level="low", signature="x"
        )
    assert "another program manager must decide its risk review" in str(refused.value)
    review.refresh_from_db()
    assert (review.status, review.level) == ("draft", "")
    # The refusal stays on record.
    assert AuditEvent.objects.filter(action="oversight.risk_review.decision_refused").count() == 1


def test_a_level_other_than_the_computed_one_needs_a_reason(program):
    review = record_review(program)
    with pytest.raises(ValidationError) as refused:
        services.risk_review_decide(actor=program.pm, review=review, level="high", signature="pm")
    assert refused.value.message_dict["level_reason"] == [
        "The rule computes low: say why the decided level differs."
    ]
    assert RiskReview.objects.get().status == "draft"


def test_conditions_due_before_the_review_are_refused_and_nothing_changes(active):
    review = record_review(active, sam_active=False)
    with pytest.raises(ValidationError) as refused:
        services.risk_review_decide(
            actor=active.pm,
            review=review,
            level="moderate",
            signature="pm",
            condition_keys=("sam",),
            clear_by=date(2025, 1, 2),
            today=date(2025, 1, 15),
        )
    assert refused.value.message_dict["clear_by"] == [
        f"The due date 01/02/2025 is before the review of {REVIEWED_ON:%m/%d/%Y}."
    ]
    assert RiskReview.objects.get().status == "draft"
    assert not SpecialCondition.objects.exists() and not Hold.objects.exists()
    assert not MonitoringActivity.objects.exists()


# --- Special conditions ---------------------------------------------------------------


def test_a_withholding_condition_refuses_drawdowns_with_its_text_until_cleared(active):
    condition = _impose(active)
    with pytest.raises(ValidationError) as refused:
        _draw(active)
    assert f"Special condition 1 is not cleared: {CONDITION}" in str(refused.value)
    services.condition_clear(
        actor=active.approver, condition=condition, note="Policies received 01/18."
    )
    condition.refresh_from_db()
    assert condition.status == "cleared"
    assert condition.hold.lifted_at is not None
    assert condition.hold.lift_reason == "Special condition 1 cleared"
    request = _draw(active)
    assert request.amount == Decimal("1000.00")
    assert AuditEvent.objects.filter(action="oversight.condition.cleared").count() == 1


def test_clearing_one_condition_leaves_the_others_hold(active):
    first = _impose(active)
    _impose(active, text="Name a new financial manager.")
    services.condition_clear(actor=active.approver, condition=first, note="Done.")
    with pytest.raises(ValidationError) as refused:
        _draw(active)
    assert "Special condition 2 is not cleared: Name a new financial manager." in str(refused.value)


def test_a_condition_hold_is_not_lifted_by_hand(active):
    condition = _impose(active)
    with pytest.raises(ValidationError) as refused:
        hold_lift(actor=active.pm, hold=condition.hold, reason="Looks fine")
    assert "lifted when the condition is cleared" in str(refused.value)
    assert Hold.objects.get().is_active


def test_only_the_named_role_outside_the_recipient_clears_a_condition(active):
    condition = _impose(active)
    for person in (active.pm, active.officer_a):
        with pytest.raises(PermissionDenied):
            services.condition_clear(actor=person, condition=condition, note="Done.")
    assert SpecialCondition.objects.get().status == "open"


@pytest.mark.parametrize(
    "fields, field, message",
    [
        ({"text": "   "}, "text", "Write the condition: what the recipient must do."),
        (
            {"clear_by": date(2025, 1, 14)},
            "clear_by",
            "The due date 01/14/2025 is before today, 01/15/2025.",
        ),
        ({"clearer_role": "Auditor"}, "clearer_role", "Choose who clears the condition."),
    ],
)
def test_a_bad_condition_is_refused_and_nothing_changes(active, fields, field, message):
    with pytest.raises(ValidationError) as refused:
        _impose(active, **fields)
    assert refused.value.message_dict[field] == [message]
    assert not SpecialCondition.objects.exists() and not Hold.objects.exists()


# --- Monitoring -----------------------------------------------------------------------


def _finding(program, questioned="0", due=date(2025, 3, 1)):
    activity = services.activity_plan(
        actor=program.pm, award=program.award_a, kind="desk_review", planned_on=date(2025, 2, 1)
    )
    services.activity_complete(
        actor=program.pm,
        activity=activity,
        done_on=date(2025, 2, 3),
        summary="Payroll tested.",
        today=date(2025, 2, 3),
    )
    return services.finding_record(
        actor=program.pm,
        activity=activity,
        text="Timesheets not signed by supervisors.",
        cap_due_on=due,
        questioned_amount=questioned,
    )


def test_a_finding_due_before_its_activity_is_refused(active):
    with pytest.raises(ValidationError) as refused:
        _finding(active, due=date(2025, 2, 1))
    assert refused.value.message_dict["cap_due_on"] == [
        "The due date 02/01/2025 is before the desk review of 02/03/2025."
    ]
    assert not Finding.objects.exists()


def test_a_negative_questioned_amount_is_refused_naming_the_field(active):
    with pytest.raises(ValidationError) as refused:
        _finding(active, questioned="-250.00")
    assert refused.value.message_dict == {"questioned_amount": ["The amount must be zero or more."]}
    assert not Finding.objects.exists()


def test_a_blank_questioned_amount_is_zero(active):
    assert _finding(active, questioned="").questioned_amount == Decimal("0.00")


def test_a_finding_runs_from_plan_to_closed(active):
    finding = _finding(active)
    services.finding_submit_plan(
        actor=active.gadmin_a, finding=finding, corrective_action="Supervisors sign weekly."
    )
    with pytest.raises(PermissionDenied):
        services.finding_close(actor=active.gadmin_a, finding=finding, resolution="We fixed it")
    services.finding_close(actor=active.pm, finding=finding, resolution="Signed timesheets seen.")
    finding.refresh_from_db()
    assert (finding.status, finding.corrective_action) == ("closed", "Supervisors sign weekly.")


def test_the_daily_run_lists_overdue_plans_and_conditions(active):
    _finding(active)
    _impose(active)
    lines = run_daily(date(2025, 4, 1))
    assert lines == [
        "Corrective action plans overdue: 1",
        f"  {active.award_a.award_number}: finding {Finding.objects.get().pk}, plan due 03/01/2025",
        "Special conditions past their clear-by date: 1",
        f"  {active.award_a.award_number}: condition 1, clear by 03/31/2025",
    ]
    # Nothing overdue yet: nothing to print.
    assert run_daily(date(2025, 2, 3)) == []


def test_closeout_waits_for_findings_with_questioned_costs_and_warns_of_others(active):
    _finding(active, questioned="2500.00")
    other = _finding(active)
    items = {item.label: item for item in closeout_checklist(active.award_a)}
    questioned = items["Monitoring findings with questioned costs closed"]
    assert (questioned.done, questioned.blocks, questioned.detail) == (
        False,
        True,
        "1 open, $2,500.00 questioned",
    )
    warning = items["Other monitoring findings closed"]
    assert (warning.done, warning.blocks) == (False, False)
    assert other.is_open
    with pytest.raises(ValidationError) as refused:
        award_close(actor=active.pm, award=active.award_a)
    assert "Monitoring findings with questioned costs closed" in refused.value.messages
    assert "Other monitoring findings closed" not in refused.value.messages
