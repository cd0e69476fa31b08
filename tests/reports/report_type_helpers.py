"""A report type declared only in tests, to show that an event-triggered type plugs into
the calendar, due list, feed, reminders, holds, packs and PDFs with its declaration alone.

An "amendment report" falls due by the end of the month after each day an amendment is
requested on the award, the way a subaward report falls due by the end of the month after
the subaward. It is stored in the progress report table, so the tests need no table of
their own; an amendment requested on a half-year's last day would meet a progress report
there, and the tests request none on such a day.
"""

from calendar import monthrange
from datetime import date, timedelta

from grants.models import Amendment, Membership
from reports import report_types
from reports.models import MEASURES, ProgressReport
from reports.report_types import Event, EventTriggered, ReportType


def amendment_days(awards) -> list[Event]:
    days = (
        Amendment.objects.filter(award__in=awards)
        .values_list("award_id", "requested_on")
        .distinct()
        .order_by("award_id", "requested_on")
    )
    return [Event(award_id, day, day, day) for award_id, day in days]


def end_of_next_month(event: Event, rules) -> date:
    first = (event.occurred_on.replace(day=1) + timedelta(days=32)).replace(day=1)
    return first.replace(day=monthrange(first.year, first.month)[1])


AMENDMENT_REPORT = ReportType(
    key="amendment",
    label="Amendment report",
    short_label="Amendment report",
    model=ProgressReport,
    schedule=EventTriggered(events=amendment_days, due_on=end_of_next_month),
    filers=(Membership.Role.FINANCE_OFFICER, Membership.Role.GRANT_ADMINISTRATOR),
    refusal="Only the task force's staff file its amendment reports.",
    fields=("accomplishments", *(name for name, _ in MEASURES)),
)


def declare_amendment_reports(monkeypatch) -> ReportType:
    """Declare the type for one test (monkeypatch takes it away after)."""
    monkeypatch.setitem(report_types.REGISTRY, AMENDMENT_REPORT.key, AMENDMENT_REPORT)
    return AMENDMENT_REPORT
