"""Reads for the reporting pages, scoped to the person asking."""

from dataclasses import dataclass
from datetime import date

from django.db.models import QuerySet

from grants import selectors as grant_selectors
from grants.models import Award
from grants.selectors import RuleBook
from reports import report_types
from reports.calendar import DueReport, reporting_calendars
from reports.models import FiledReport, ProgressReport, Reminder

REPORTING_STATUSES = (Award.Status.ACTIVE, Award.Status.IN_CLOSEOUT)


@dataclass(frozen=True)
class CalendarRow:
    due: DueReport
    filed: FiledReport | None
    today: date

    @property
    def state(self) -> str:
        if self.filed is not None:
            return self.filed.get_status_display()
        if self.due.due_on < self.today:
            return "Overdue"
        if self.due.period_end < self.today:
            return "Open for filing"
        return "Upcoming"

    @property
    def days_late(self) -> int:
        if self.is_filed:
            return max(0, (self.filed.submitted_at.date() - self.due.due_on).days)
        return max(0, (self.today - self.due.due_on).days)

    @property
    def is_filed(self) -> bool:
        """Submitted or accepted; a returned report still needs filing."""
        return self.filed is not None and self.filed.is_in

    @property
    def needs_action(self) -> bool:
        return self.filed is None or self.filed.is_returned


def calendar_for_awards(awards: QuerySet[Award], *, today: date) -> list[CalendarRow]:
    """Every report the awards owe with where each stands: a query for the awards, one
    for the rules, and one per report type for what is filed (and one per event-triggered
    type for its events)."""
    awards = list(awards.select_related("task_force"))
    rules = RuleBook(report_types.rule_keys())
    filed = {}
    for report_type in report_types.all_types():
        for report in report_type.model.objects.filter(award__in=awards):
            filed[(report.award_id, report_type.key, report.period_end)] = report
    rows = []
    for award, calendar in zip(awards, reporting_calendars(awards, rules), strict=True):
        for due in calendar:
            rows.append(CalendarRow(due, filed.get((award.pk, due.kind, due.period_end)), today))
    return rows


def calendar_for_user(*, user, today: date) -> list[CalendarRow]:
    awards = grant_selectors.award_list_for_user(user=user).filter(status__in=REPORTING_STATUSES)
    return calendar_for_awards(awards, today=today)


def reports_for_user(*, user, report_type: report_types.ReportType) -> QuerySet[FiledReport]:
    """The reports of one type on the awards the user may read."""
    return report_type.model.objects.filter(
        award__in=grant_selectors.award_list_for_user(user=user)
    ).select_related("award", "award__task_force", "submitted_by", "reviewed_by")


def progress_reports_for_user(*, user) -> QuerySet[ProgressReport]:
    return reports_for_user(user=user, report_type=report_types.PROGRESS_REPORT)


def reminders_for_user(*, user) -> QuerySet[Reminder]:
    return Reminder.objects.filter(
        award__in=grant_selectors.award_list_for_user(user=user)
    ).select_related("award", "award__task_force")
