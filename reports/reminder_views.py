"""The program office's list of the reminders the daily job has sent."""

from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.shortcuts import render

from grants import access
from reports import report_types
from reports.models import Reminder
from reports.selectors import reminders_for_user


def report_link(reminder: Reminder) -> tuple[str, str | None]:
    """What report a reminder was about, and its page, from its key ("sf425:2025-03-31")."""
    kind, _, period_end = reminder.report_key.partition(":")
    report_type = report_types.get(kind)
    try:
        period = date.fromisoformat(period_end)
    except ValueError:
        return reminder.report_key, None
    if report_type is None:
        return f"{kind}, period ending {period:%m/%d/%Y}", None
    label = f"{report_type.short_label}, period ending {period:%m/%d/%Y}"
    return label, report_type.url(reminder.award.award_number, period)


def reminders_shown(*, user, params) -> tuple[QuerySet[Reminder], str]:
    """The reminders the page lists, newest first, and the stage its query string
    chooses ("" for every stage); the page and its download."""
    stage = params.get("stage", "")
    if stage not in Reminder.Stage.values:
        stage = ""
    reminders = reminders_for_user(user=user).order_by("-sent_on", "-pk")
    if stage:
        reminders = reminders.filter(stage=stage)
    return reminders, stage


@login_required
def reminder_list(request):
    access.require(
        access.can_view_program(request.user),
        "Only the program office and auditors see the reminders sent.",
    )
    reminders, stage = reminders_shown(user=request.user, params=request.GET)
    page = Paginator(reminders, 100).get_page(request.GET.get("page"))
    return render(
        request,
        "reports/reminders.html",
        {
            "page": page,
            "rows": [(r, *report_link(r)) for r in page],
            "stage": stage,
            "stages": Reminder.Stage.choices,
        },
    )
