"""Reads of the oversight app, always scoped to the user: risk reviews for the program
office and auditors only; conditions, monitoring and findings for whoever reads the
award (a task force's staff, their own)."""

from datetime import date

from django.db.models import QuerySet

from grants import access
from grants.models import Award, Recipient
from oversight.models import OPEN_FINDING, Finding, MonitoringActivity, RiskReview, SpecialCondition


def review_list_for_user(*, user) -> QuerySet[RiskReview]:
    if not access.can_view_risk_reviews(user):
        return RiskReview.objects.none()
    return RiskReview.objects.select_related("recipient", "decided_by", "created_by")


def review_get_for_user(*, user, pk: int) -> RiskReview:
    return review_list_for_user(user=user).get(pk=pk)


def recipients_for_review(*, user) -> QuerySet[Recipient]:
    if not access.can_manage_oversight(user):
        return Recipient.objects.none()
    return Recipient.objects.order_by("legal_name")


def conditions_for_user(*, user) -> QuerySet[SpecialCondition]:
    return SpecialCondition.objects.filter(
        access.task_force_scope(user, "award__task_force")
    ).select_related("award", "award__task_force", "cleared_by", "hold")


def activities_for_user(*, user) -> QuerySet[MonitoringActivity]:
    return MonitoringActivity.objects.filter(
        access.task_force_scope(user, "award__task_force")
    ).select_related("award", "award__task_force")


def findings_for_user(*, user) -> QuerySet[Finding]:
    return Finding.objects.filter(
        access.task_force_scope(user, "award__task_force")
    ).select_related("award", "award__task_force", "activity")


def open_findings_for_award(*, award: Award) -> QuerySet[Finding]:
    """An award's open findings; the award was read through the user's scope."""
    return award.monitoring_findings.filter(status__in=OPEN_FINDING).select_related("activity")


def overdue_corrective_actions(*, today: date) -> QuerySet[Finding]:
    """Findings whose corrective action plan is past due and not in: for the daily run."""
    return Finding.objects.filter(status=Finding.Status.OPEN, cap_due_on__lt=today).select_related(
        "award", "activity"
    )


def overdue_conditions(*, today: date) -> QuerySet[SpecialCondition]:
    return SpecialCondition.objects.filter(
        status=SpecialCondition.Status.OPEN, clear_by__lt=today
    ).select_related("award")


def overdue_activities(*, today: date) -> QuerySet[MonitoringActivity]:
    return MonitoringActivity.objects.filter(
        status=MonitoringActivity.Status.PLANNED, planned_on__lt=today
    ).select_related("award")
