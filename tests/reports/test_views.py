from datetime import date

import pytest
from django.urls import reverse

from reports.models import FinancialReport, ProgressReport
from tests.budgets.ledger_helpers import activate

GOOD = {"accomplishments": "Forty investigations opened.", "challenges": "", "next_steps": ""}


@pytest.fixture
def filing(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def _measures(**changes):
    from reports.models import MEASURES

    data = {name: "3" for name, _ in MEASURES}
    data.update(changes)
    return data


def _url(program):
    return reverse("reports:progress_detail", args=[program.award_a.award_number, "2024-12-31"])


@pytest.mark.parametrize(
    "value, message",
    [
        ("-1", "Enter 0 or more."),
        ("2.5", "Enter a whole number."),
        ("many", "Enter a whole number."),
    ],
)
def test_progress_counts_must_be_whole_and_not_negative(client, filing, value, message):
    client.force_login(filing.gadmin_a)
    response = client.post(_url(filing), {**GOOD, **_measures(arrests=value)})
    assert response.context["form"].errors["arrests"] == [message]
    assert ProgressReport.objects.count() == 0


def test_progress_report_filed_and_shown_side_by_side(client, filing):
    client.force_login(filing.gadmin_a)
    response = client.post(_url(filing), {**GOOD, **_measures(arrests="12")})
    assert response.status_code == 302
    report = ProgressReport.objects.get()
    assert (report.arrests, report.status, report.submitted_by) == (
        12,
        "submitted",
        filing.gadmin_a,
    )
    client.force_login(filing.pm)
    page = client.get(reverse("reports:measures")).content.decode()
    assert "Alpha ICAC Task Force" in page and "<strong>12</strong>" in page


def test_outsider_cannot_submit(client, filing):
    client.force_login(filing.officer_b)
    assert client.post(_url(filing), {**GOOD, **_measures()}).status_code == 404
    client.force_login(filing.auditor)
    assert client.post(_url(filing), {**GOOD, **_measures()}).status_code == 403
    assert ProgressReport.objects.count() == 0


def test_calendar_shows_overdue_reports_latest_first(client, filing):
    client.force_login(filing.officer_a)
    rows = client.get(reverse("reports:calendar")).context["rows"]
    assert rows and all(r.due.award == filing.award_a for r in rows)
    assert rows[0].state == "Overdue" and rows[0].days_late >= rows[-1].days_late
    client.force_login(filing.officer_b)
    assert client.get(reverse("reports:calendar")).context["rows"] == []


def test_measures_over_time_for_one_task_force(client, filing):
    client.force_login(filing.gadmin_a)
    client.post(_url(filing), {**GOOD, **_measures(arrests="12")})
    client.force_login(filing.pm)
    response = client.get(reverse("reports:measures"), {"task_force": filing.task_force_a.code})
    rows = response.context["table"]
    assert [(r.period_end.isoformat(), values[3]) for r, values in rows] == [("2024-12-31", 12)]


CERTIFIED = {
    "certifier_name": "Lena Alvarez",
    "certifier_title": "Finance officer",
    "certifier_phone": "555-0100",
    "certifier_email": "lena@example.gov",
    "certify": "on",
}


def _sf425_url(program, period_end="2024-12-31"):
    return reverse("reports:sf425_detail", args=[program.award_a.award_number, period_end])


def test_sf425_filed_in_the_browser_once(client, filing):
    client.force_login(filing.officer_a)
    response = client.post(_sf425_url(filing), CERTIFIED, follow=True)
    assert response.redirect_chain == [(_sf425_url(filing), 302)]
    assert "Submitted the " in response.content.decode()
    report = FinancialReport.objects.get()
    assert (report.status, report.submitted_by, report.certifier_name) == (
        "submitted",
        filing.officer_a,
        "Lena Alvarez",
    )
    assert response.context["can_file"] is False
    assert client.post(_sf425_url(filing), CERTIFIED).status_code == 403
    assert FinancialReport.objects.get().submissions == 1


def test_sf425_refusals_are_shown_on_the_form_and_file_nothing(client, filing):
    client.force_login(filing.officer_a)
    response = client.post(_sf425_url(filing), {**CERTIFIED, "certifier_phone": ""})
    assert response.context["form"].errors["certifier_phone"] == ["This field is required."]
    response = client.post(_sf425_url(filing, "2025-03-31"), CERTIFIED)
    assert response.status_code == 200
    assert response.context["form"].non_field_errors() == [
        "Reports are filed in order: file the SF-425 financial report, period ending 12/31/2024 "
        "first."
    ]
    assert FinancialReport.objects.count() == 0


def test_a_review_returns_to_the_report_it_decided(client, filing):
    client.force_login(filing.officer_a)
    client.post(_sf425_url(filing), CERTIFIED)
    client.force_login(filing.gadmin_a)
    client.post(_url(filing), {**GOOD, **_measures()})
    client.force_login(filing.pm)
    sf425 = FinancialReport.objects.get()
    response = client.post(
        reverse("reports:report_review", args=["sf425", sf425.pk]),
        {"decision": "return", "comment": "Line 10c is wrong."},
    )
    assert response.url == _sf425_url(filing)
    assert FinancialReport.objects.get().status == "returned"
    progress = ProgressReport.objects.get()
    response = client.post(
        reverse("reports:report_review", args=["progress", progress.pk]), {"decision": "accept"}
    )
    assert response.url == _url(filing)
    assert ProgressReport.objects.get().status == "accepted"


def test_reports_due_come_a_page_at_a_time(client, filing, monkeypatch):
    """Award A owes 13 reports; five to a page, the third page holds the last three, in
    the order chosen (due date), and the choice survives the page links."""
    monkeypatch.setattr("reports.views.CALENDAR_PER_PAGE", 5)
    client.force_login(filing.officer_a)
    first = client.get(reverse("reports:calendar"), {"show": "all", "sort": "due"})
    assert first.context["table"].paginator.count == 13
    body = first.content.decode()
    assert "Showing 1–5 of 13." in body and "Page 1 of 3" in body
    assert 'href="?show=all&amp;sort=due&amp;page=2"' in body
    last = client.get(reverse("reports:calendar"), {"show": "all", "sort": "due", "page": "3"})
    rows = list(last.context["table"].paginated_rows)
    assert [row.record.due.due_on for row in rows] == [
        date(2026, 7, 30),
        date(2027, 1, 28),
        date(2027, 1, 28),
    ]
    assert "Showing 11–13 of 13." in last.content.decode()
