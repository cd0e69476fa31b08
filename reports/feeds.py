"""A person's reports as a private iCalendar feed (RFC 5545), for their calendar app.

The address carries a random token instead of a session: calendar apps cannot sign in.
Whoever has the address sees what its owner sees on the reports calendar (due dates,
award numbers, task forces, statuses), so the owner can replace it at any time.
"""

from datetime import UTC, timedelta

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from reports import report_types
from reports.models import CalendarFeed, new_feed_token
from reports.selectors import calendar_for_user

LINE_LIMIT = 75  # octets per line, not counting the CRLF (RFC 5545 §3.1)
# How far back the feed reaches for reports already filed: a calendar app keeps what it
# is given, and years of accepted reports would bury what is still to do.
HISTORY_DAYS = 365


def escape_text(value: str) -> str:
    """A TEXT value (RFC 5545 §3.3.11): backslash, semicolon, comma and newlines escaped."""
    value = value.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
    return value.replace("\r\n", "\\n").replace("\r", "\\n").replace("\n", "\\n")


def fold(line: str) -> str:
    """Split a content line into lines of at most 75 octets (RFC 5545 §3.1), each
    continuation starting with a space. Never splits a UTF-8 character."""
    pieces, current, size = [], "", 0
    for char in line:
        width = len(char.encode("utf-8"))
        if size + width > LINE_LIMIT:
            pieces.append(current)
            current, size = " ", 1  # the leading space counts toward the 75
        current += char
        size += width
    pieces.append(current)
    return "\r\n".join(pieces)


def content_line(name: str, value: str, *, text: bool = True) -> str:
    return fold(f"{name}:{escape_text(value) if text else value}")


def build_calendar(rows, *, stamp, url_for) -> str:
    """The VCALENDAR for calendar rows (reports.selectors.CalendarRow)."""
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        "PRODID:-//ICAC Grants//Reports due//EN",
        "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH",
        content_line("X-WR-CALNAME", "ICAC reports due"),
    ]
    for row in sorted(
        rows,
        key=lambda r: (r.due.due_on, r.due.award.award_number, report_types.position(r.due.kind)),
    ):
        due, award = row.due, row.due.award
        description = "\n".join(
            [
                f"Status: {row.state}",
                f"Award: {award.award_number}",
                f"Task force: {award.task_force.name}",
                f"Period: {due.period_start:%m/%d/%Y} – {due.period_end:%m/%d/%Y}",
                f"Due: {due.due_on:%m/%d/%Y}",
            ]
        )
        lines += [
            "BEGIN:VEVENT",
            content_line("UID", f"{due.key}-{award.award_number}@icac-grants"),
            f"DTSTAMP:{stamp:%Y%m%dT%H%M%SZ}",
            f"DTSTART;VALUE=DATE:{due.due_on:%Y%m%d}",
            f"DTEND;VALUE=DATE:{due.due_on + timedelta(days=1):%Y%m%d}",
            content_line("SUMMARY", f"{due.label} – {award.award_number}"),
            content_line("DESCRIPTION", description),
            content_line("URL", url_for(due), text=False),
            "TRANSP:TRANSPARENT",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "\r\n".join(lines) + "\r\n"


def feed_rows(rows, *, today):
    """What the feed carries: every report still to file or to correct, however old
    (upcoming, open for filing, overdue, returned), and whatever fell due in the last
    HISTORY_DAYS days. Older reports that are filed stay on the reports page."""
    since = today - timedelta(days=HISTORY_DAYS)
    return [row for row in rows if row.needs_action or row.due.due_on >= since]


@require_safe
def calendar_feed(request, token: str):
    """No sign-in: the token names the person. An unknown token is a 404."""
    feed = CalendarFeed.objects.select_related("user").filter(token=token).first()
    if feed is None or not feed.user.is_active:
        raise Http404("No such calendar.")
    today = timezone.localdate()
    rows = feed_rows(calendar_for_user(user=feed.user, today=today), today=today)
    body = build_calendar(
        rows,
        stamp=timezone.now().astimezone(UTC),
        url_for=lambda due: request.build_absolute_uri(due.get_absolute_url()),
    )
    response = HttpResponse(body, content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="icac-reports.ics"'
    # The address is a secret: keep the feed out of shared caches and search engines.
    response["Cache-Control"] = "private, no-store"
    response["X-Robots-Tag"] = "noindex"
    return response


def feed_url(request, feed: CalendarFeed | None) -> str | None:
    if feed is None:
        return None
    return request.build_absolute_uri(reverse("reports:calendar_feed", args=[feed.token]))


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def calendar_feed_settings(request):
    """Shows the person their private calendar address; a POST creates it or replaces
    it (the old address stops working at once)."""
    feed = CalendarFeed.objects.filter(user=request.user).first()
    if request.method == "POST":
        replacing = feed is not None
        with transaction.atomic():
            CalendarFeed.objects.update_or_create(
                user=request.user, defaults={"token": new_feed_token()}
            )
        messages.success(
            request,
            "Your calendar address is replaced: the old one no longer works."
            if replacing
            else "Your calendar address is ready.",
        )
        return redirect("reports:calendar_feed_settings")
    return render(request, "reports/calendar_feed.html", {"feed_url": feed_url(request, feed)})
