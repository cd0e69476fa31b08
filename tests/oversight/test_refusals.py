"""What imposing a special condition and planning monitoring by hand refuse: the message
a person reads, and that nothing is written but the refusal's own audit event."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from grants.audit import AuditEvent
from grants.models import Award, Hold
from grants.services import award_transition
from oversight import services
from oversight.models import MonitoringActivity, SpecialCondition
from reports.services import award_close
from tests.oversight.test_services import CONDITION, _impose
from tests.reports.test_services_closeout import _accepted_finals


def _plan(program, **fields):
    values = dict(
        actor=program.pm, award=program.award_a, kind="site_visit", planned_on=date(2025, 2, 1)
    )
    values.update(fields)
    return services.activity_plan(**values)


def _no_condition_written():
    assert not SpecialCondition.objects.exists()
    assert not Hold.objects.exists()
    assert not AuditEvent.objects.filter(action="oversight.condition.imposed").exists()


def _no_activity_written():
    assert not MonitoringActivity.objects.exists()
    assert not AuditEvent.objects.filter(action="oversight.activity.planned").exists()


@pytest.fixture
def closed(active):
    """Award A, closed through its closeout checklist on 10/15/2026."""
    award = award_transition(actor=active.pm, award=active.award_a, to_status="in_closeout")
    _accepted_finals(active, award)
    active.award_a = award_close(actor=active.pm, award=award, today=date(2026, 10, 15))
    assert active.award_a.status == Award.Status.CLOSED
    return active


# --- Special conditions ---------------------------------------------------------------


def test_a_condition_without_a_clear_by_date_is_refused(active):
    with pytest.raises(ValidationError) as refused:
        _impose(active, clear_by=None)
    assert refused.value.message_dict == {
        "clear_by": ["Say by when the condition must be cleared."]
    }
    _no_condition_written()


def test_a_condition_on_a_closed_award_is_refused(closed):
    with pytest.raises(ValidationError) as refused:
        _impose(closed, clear_by=date(2026, 12, 31), today=date(2026, 10, 20))
    assert refused.value.messages == [
        f"Award {closed.award_a.award_number} is closed: no condition can be imposed on it."
    ]
    _no_condition_written()


def test_the_same_open_condition_is_not_imposed_twice(active):
    _impose(active)
    with pytest.raises(ValidationError) as refused:
        _impose(active, text=f"  {CONDITION} ")
    assert refused.value.message_dict == {
        "text": ["Special condition 1 already says this and is open."]
    }
    # One condition, one hold on the funds.
    assert SpecialCondition.objects.count() == 1
    assert Hold.objects.count() == 1
    assert AuditEvent.objects.filter(action="oversight.condition.imposed").count() == 1


def test_a_cleared_condition_may_be_imposed_again(active):
    first = _impose(active)
    services.condition_clear(actor=active.approver, condition=first, note="Policies received.")
    again = _impose(active)
    assert (again.number, again.is_open, again.hold.is_active) == (2, True, True)


def test_task_force_staff_may_not_impose_a_condition(active):
    with pytest.raises(PermissionDenied, match="Only program managers impose special conditions."):
        _impose(active, actor=active.gadmin_a)
    _no_condition_written()


def test_the_recipients_own_staff_may_not_impose_its_conditions(active, pm_on_recipient_staff):
    with pytest.raises(PermissionDenied) as refused:
        _impose(active, actor=pm_on_recipient_staff)
    recipient = active.award_a.recipient
    assert str(refused.value) == (
        f"You are on the staff of {recipient}: another program manager must impose its "
        "special conditions."
    )
    _no_condition_written()
    # The refusal stays on record.
    event = AuditEvent.objects.get(action="oversight.condition.refused")
    assert (event.actor, event.task_force, event.data["attempted"]) == (
        pm_on_recipient_staff,
        active.task_force_a,
        "impose a special condition",
    )


def test_the_recipients_staff_may_impose_on_another_recipients_award(active, pm_on_recipient_staff):
    condition = _impose(active, actor=pm_on_recipient_staff, award=active.award_b)
    assert (condition.award, condition.imposed_by) == (active.award_b, pm_on_recipient_staff)


# --- Monitoring planned by hand ---------------------------------------------------------


@pytest.mark.parametrize(
    "fields, message",
    [
        ({"planned_on": None}, "Say when it is planned."),
        (
            {"planned_on": date(2024, 9, 30)},
            "Plan it within the award's period, 10/01/2024 to 09/30/2026.",
        ),
        (
            {"planned_on": date(2026, 10, 1)},
            "Plan it within the award's period, 10/01/2024 to 09/30/2026.",
        ),
    ],
)
def test_a_visit_without_a_date_in_the_awards_period_is_refused(active, fields, message):
    with pytest.raises(ValidationError) as refused:
        _plan(active, **fields)
    assert refused.value.message_dict == {"planned_on": [message]}
    _no_activity_written()


def test_the_first_and_last_days_of_the_period_may_be_planned(active):
    first = _plan(active, planned_on=date(2024, 10, 1))
    last = _plan(active, planned_on=date(2026, 9, 30))
    assert [a.planned_on for a in (first, last)] == [date(2024, 10, 1), date(2026, 9, 30)]


def test_an_unknown_kind_is_refused(active):
    with pytest.raises(ValidationError) as refused:
        _plan(active, kind="audit")
    assert refused.value.message_dict == {"kind": ["Choose a desk review or a site visit."]}
    _no_activity_written()


def test_the_same_visit_is_not_planned_twice_on_one_day(active):
    _plan(active)
    with pytest.raises(ValidationError) as refused:
        _plan(active)
    assert refused.value.message_dict == {
        "planned_on": ["A site visit is already planned on 02/01/2025."]
    }
    assert MonitoringActivity.objects.count() == 1
    assert AuditEvent.objects.filter(action="oversight.activity.planned").count() == 1
    # A desk review on that day is another activity.
    assert _plan(active, kind="desk_review").kind == "desk_review"


def test_monitoring_of_a_closed_award_is_refused(closed):
    with pytest.raises(ValidationError) as refused:
        _plan(closed, planned_on=date(2026, 9, 1))
    assert refused.value.messages == [
        f"Award {closed.award_a.award_number} is closed: no monitoring is planned on it."
    ]
    _no_activity_written()


def test_task_force_staff_may_not_plan_monitoring(active):
    with pytest.raises(PermissionDenied, match="Only program managers plan monitoring."):
        _plan(active, actor=active.officer_a)
    _no_activity_written()


def test_the_recipients_own_staff_may_not_plan_its_monitoring(active, pm_on_recipient_staff):
    with pytest.raises(PermissionDenied) as refused:
        _plan(active, actor=pm_on_recipient_staff)
    assert str(refused.value) == (
        f"You are on the staff of {active.award_a.recipient}: another program manager must "
        "plan its monitoring."
    )
    _no_activity_written()
    event = AuditEvent.objects.get(action="oversight.activity.refused")
    assert (event.actor, event.data["attempted"], event.data["refused_as"]) == (
        pm_on_recipient_staff,
        "plan monitoring",
        "not permitted",
    )
