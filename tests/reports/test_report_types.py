"""Report types are declared once (reports.report_types): the declarations give today's
deadlines, and a type declared only here, falling due after an event rather than on a
calendar, shows up in the calendar, the due list, the feed, reminders, holds, the filing
page, its PDF and evidence packs with nothing but its declaration."""

import dataclasses
from datetime import date
from io import BytesIO
from unittest import mock
from zipfile import ZipFile

import pytest
from django.urls import reverse

from grants.models import Award, Hold
from grants.services import amendment_record
from reports import report_types
from reports.calendar import reporting_calendar
from reports.models import MEASURES, CalendarFeed, ProgressReport, Reminder
from reports.reminders import send_reminders
from reports.report_types import Periodic
from reports.services import place_delinquency_holds
from tests.budgets.ledger_helpers import activate
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.report_type_helpers import declare_amendment_reports

A = "15PJDP-25-GK-00001-MECP"
REQUESTED = date(2025, 1, 6)
DUE = date(2025, 2, 28)  # the end of the month after


@pytest.fixture
def amendment(program, monkeypatch):
    """Award A active, an amendment requested on it, and amendment reports declared."""
    activate(program)
    amendment_record(
        actor=program.pm,
        award=program.award_a,
        kind="administrative",
        description="New authorized representative",
        requested_on=REQUESTED,
    )
    declare_amendment_reports(monkeypatch)
    return program


def test_the_product_declares_the_sf425_the_progress_and_the_ffata_report_in_that_order():
    assert [t.key for t in report_types.all_types()] == ["sf425", "progress", "ffata"]
    assert report_types.rule_keys() == [
        "ffr_due_days",
        "final_report_days",
        "progress_report_due_days",
    ]
    with pytest.raises(ValueError):
        report_types.register(report_types.FINANCIAL_REPORT)
    with pytest.raises(ValueError):
        Periodic(months=5, due_days="ffr_due_days")


def test_an_event_triggered_report_is_in_the_calendar_when_the_event_happens(amendment):
    award = Award.objects.get(pk=amendment.award_a.pk)
    due = [r for r in reporting_calendar(award) if r.kind == "amendment"]
    assert [(r.period_start, r.period_end, r.due_on, r.is_final) for r in due] == [
        (REQUESTED, REQUESTED, DUE, False)
    ]
    assert due[0].key == "amendment:2025-01-06"
    assert due[0].label == "Amendment report, period ending 01/06/2025"
    assert due[0].get_absolute_url() == reverse(
        "reports:report_detail", args=[A, "amendment", "2025-01-06"]
    )
    # In due-date order among the periodic reports.
    calendar = reporting_calendar(award)
    assert [r.due_on for r in calendar] == sorted(r.due_on for r in calendar)
    assert calendar.index(due[0]) == 2  # after the two reports due 01/30/2025


def test_it_is_on_the_due_list_and_in_the_feed(amendment, client):
    client.force_login(amendment.officer_a)
    body = client.get(reverse("reports:calendar"), {"show": "all"}).content.decode()
    link = reverse("reports:report_detail", args=[A, "amendment", "2025-01-06"])
    assert f'<a href="{link}">Amendment report, period ending 01/06/2025</a>' in body
    feed, _ = CalendarFeed.objects.get_or_create(user=amendment.officer_a)
    with mock.patch("reports.feeds.timezone.localdate", return_value=date(2025, 2, 10)):
        ics = client.get(reverse("reports:calendar_feed", args=[feed.token])).content.decode()
    event = ics.replace("\r\n ", "").split(f"UID:amendment:2025-01-06-{A}@icac-grants\r\n")[1]
    assert event.split("END:VEVENT")[0].splitlines()[1] == "DTSTART;VALUE=DATE:20250228"


def test_late_it_holds_the_funds_and_reminds_its_filers(
    amendment, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2025, 2, 27))
    assert not Hold.objects.filter(report_key="amendment:2025-01-06").exists()
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders(today=date(2025, 3, 1))
    hold = Hold.objects.get(report_key="amendment:2025-01-06")
    assert (
        hold.reason
        == "Amendment report, period ending 01/06/2025 was due 02/28/2025 and has not been submitted"
    )
    reminder = Reminder.objects.get(report_key="amendment:2025-01-06", stage="overdue")
    assert amendment.officer_a.email in reminder.recipients
    assert amendment.gadmin_a.email in reminder.recipients
    assert (
        reminder.subject
        == f"Amendment report, period ending 01/06/2025 is overdue (due 02/28/2025), award {A}"
    )


def test_a_type_that_does_not_hold_funds_places_no_hold(amendment, monkeypatch):
    lenient = dataclasses.replace(report_types.get("amendment"), holds_funds=False)
    monkeypatch.setitem(report_types.REGISTRY, "amendment", lenient)
    place_delinquency_holds(today=date(2025, 3, 1))
    assert not Hold.objects.filter(report_key="amendment:2025-01-06").exists()
    assert Hold.objects.filter(report_key="sf425:2024-12-31").exists()


def test_it_is_filed_on_the_shared_page_which_lifts_its_hold(amendment, client):
    place_delinquency_holds(today=date(2025, 3, 1))
    url = reverse("reports:report_detail", args=[A, "amendment", "2025-01-06"])
    client.force_login(amendment.pm)
    assert client.post(url, {"accomplishments": "x"}).status_code == 403
    client.force_login(amendment.gadmin_a)
    page = client.get(url).content.decode()
    assert "Amendment report, period ending 01/06/2025" in page and "due 02/28/2025" in page
    response = client.post(
        url,
        {
            "accomplishments": "Signed by the new representative.",
            **{name: 3 for name, _ in MEASURES},
        },
    )
    assert response.status_code == 302 and response["Location"] == url
    report = ProgressReport.objects.get(award=amendment.award_a, period_end=REQUESTED)
    assert (report.status, report.accomplishments, report.arrests) == (
        "submitted",
        "Signed by the new representative.",
        3,
    )
    assert not Hold.objects.filter(
        report_key="amendment:2025-01-06", lifted_at__isnull=True
    ).exists()
    assert "Signed by the new representative." in client.get(url).content.decode()
    # Once filed, it is not filed again.
    assert client.post(url, {"accomplishments": "again"}).status_code == 403
    # A type with a page of its own is not on the shared one.
    assert (
        client.get(reverse("reports:report_detail", args=[A, "sf425", "2024-12-31"])).status_code
        == 404
    )


def test_its_pdf_is_a_download_and_in_the_evidence_pack(amendment, client):
    ProgressReport.objects.create(
        award=amendment.award_a,
        period_end=REQUESTED,
        status="submitted",
        submitted_by=amendment.officer_a,
        submitted_at="2025-02-01T12:00:00Z",
        accomplishments="x",
        **{name: 0 for name, _ in MEASURES},
    )
    client.force_login(amendment.auditor)
    response = client.get(reverse("reports:report_pdf", args=[A, "amendment", "2025-01-06"]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].endswith(f'filename="amendment-{A}-2025-01-06.pdf"')
    client.force_login(amendment.officer_b)
    assert (
        client.get(reverse("reports:report_pdf", args=[A, "amendment", "2025-01-06"])).status_code
        == 404
    )
    client.force_login(amendment.auditor)
    pack = ZipFile(
        BytesIO(
            b"".join(
                fetch_prepared(client, reverse("exports:award_pack", args=[A])).streaming_content
            )
        )
    )
    assert f"amendment/amendment-{A}-2025-01-06.pdf" in pack.namelist()
