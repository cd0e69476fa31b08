"""HTML tables of reports. Display only: rows come from selectors."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html

from grants.tables import DateColumn, priority

# Reports due, a page at a time: a program office sees every award's history (1,800
# reports of the demo program), which took seconds to draw on one page.
CALENDAR_PER_PAGE = 50


class CalendarTable(tables.Table):
    """Rows are reports.selectors.CalendarRow, in the order the page's sort chose."""

    award = tables.Column(
        "Award", accessor="due__award__award_number", attrs={"td": {"class": "nowrap"}}
    )
    task_force = tables.Column(
        "Task force", accessor="due__award__task_force__name", attrs=priority(2)
    )
    report = tables.Column("Report", accessor="due__label")
    due_on = DateColumn(
        verbose_name="Due", accessor="due__due_on", attrs={"td": {"class": "nowrap"}}
    )
    state = tables.Column("Status")
    days_late = tables.Column(
        "Days late", attrs={"td": {"class": "text-right"}, "th": {"class": "text-right"}}
    )

    class Meta:
        orderable = False
        attrs = {
            "class": "usa-table usa-table--borderless usa-table--striped usa-table--stacked",
            "data-testid": "calendar",
        }
        empty_text = "Nothing here."

    def render_award(self, value):
        return format_html(
            '<a href="{}">{}</a>', reverse("reports:award_reports", args=[value]), value
        )

    def render_report(self, record, value):
        return format_html('<a href="{}">{}</a>', record.due.get_absolute_url(), value)

    def render_days_late(self, value):
        return value or ""
