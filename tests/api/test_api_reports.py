"""Reading an award's terms and its reports through the API, and filing progress reports:
exact amounts, the pages' scope and messages, cursor pages, idempotent filings."""

import uuid
from datetime import date

import pytest
from django.urls import reverse

from reports.models import MEASURES, ProgressReport
from reports.services import report_review, sf425_submit
from tests.api.helpers import bearer
from tests.api.test_api_permissions import file_progress
from tests.api.test_api_writes import problem, send
from tests.budgets.ledger_helpers import activate, draw, post

CERTIFIER = {
    "certifier_name": "Lena Alvarez",
    "certifier_title": "Finance officer",
    "certifier_phone": "555-0100",
    "certifier_email": "lena@example.gov",
}
PROGRESS = {
    "accomplishments": "Opened 12 investigations.",
    "challenges": "Device backlog.",
    **{name: i for i, (name, _) in enumerate(MEASURES)},
}


@pytest.fixture
def active(program):
    activate(program)
    return program


def get(client, url, user, **params):
    return client.get(url, params, **bearer(user))


def test_terms_as_of_a_day_with_the_budget_in_force(client, active):
    url = reverse("api:award_terms", args=[active.award_a.award_number])
    body = get(client, url, active.officer_a, as_of="2025-01-15").json()
    assert body["as_of"] == "2025-01-15"
    assert (body["period_start"], body["period_end"]) == ("2024-10-01", "2026-09-30")
    assert body["federal_amount"] == "200000.00"
    assert [(f["amount"], f["amendment"]) for f in body["funding_lines"]] == [("200000.00", None)]
    assert body["budget"]["status"] == "approved"
    assert body["budget"]["federal_total"] == "200000.00"
    assert sum(float(line["federal_amount"]) for line in body["budget"]["lines"]) == 200000


def test_terms_before_the_award_existed_and_a_bad_day_name_the_parameter(client, active):
    url = reverse("api:award_terms", args=[active.award_a.award_number])
    errors = problem(get(client, url, active.officer_a, as_of="2020-01-01"), 400)["errors"]
    assert errors["as_of"][0].startswith(
        f"Award {active.award_a.award_number} did not exist on 2020-01-01"
    )
    errors = problem(get(client, url, active.officer_a, as_of="01/15/2025"), 400)["errors"]
    assert errors == {
        "as_of": ["'01/15/2025' is not a date: write it as YYYY-MM-DD, such as 2025-06-30."]
    }


def test_sf425_computed_then_certified_with_its_variance(client, active):
    draw(active, "500.00", day=date(2024, 12, 10))
    url = reverse("api:award_sf425", args=[active.award_a.award_number, "2024-12-31"])
    body = get(client, url, active.officer_a).json()
    lines = {row["line"]: row["amount"] for row in body["computed"]}
    assert (lines["10a"], lines["10c"], lines["10d"]) == ("500.00", "500.00", "200000.00")
    assert body["certified"] is None and body["variance"] == []
    sf425_submit(
        actor=active.officer_a,
        award=active.award_a,
        period_end=date(2024, 12, 31),
        remarks="Payroll paid on January 2.",
        certifier=CERTIFIER,
        today=date(2025, 1, 20),
    )
    post(active, "expenditure", "200.00", day=date(2024, 12, 20), share="federal")
    body = get(client, url, active.officer_a).json()
    certified = {row["line"]: row["amount"] for row in body["certified"]["lines"]}
    assert certified["10e"] == "0.00"
    assert {row["line"]: row["amount"] for row in body["computed"]}["10e"] == "200.00"
    assert "10e" in body["variance"]
    assert body["certified"]["status"] == "submitted"
    assert body["certified"]["certifier_name"] == "Lena Alvarez"


def test_sf425_of_a_day_that_ends_no_period_is_a_404(client, active):
    url = reverse("api:award_sf425", args=[active.award_a.award_number, "2024-12-30"])
    assert problem(get(client, url, active.officer_a), 404)["detail"] == (
        f"No such reporting period: 2024-12-30 does not end one of award {active.award_a}."
    )


def test_reports_due_filter_and_cursor_pages(client, active):
    url = reverse("api:reports_due")
    everything = get(client, url, active.officer_a, page_size=100).json()["results"]
    assert everything and {r["award"] for r in everything} == {active.award_a.award_number}
    due_dates = [r["due_on"] for r in everything]
    assert due_dates == sorted(due_dates)
    progress = get(client, url, active.officer_a, kind="progress", page_size=100).json()
    assert {r["kind"] for r in progress["results"]} == {"progress"}
    first = progress["results"][0]
    assert (first["period_end"], first["state"]) == ("2024-12-31", "Overdue")
    # Walk the progress reports one at a time, forward then back.
    page = get(client, url, active.officer_a, kind="progress", page_size=1).json()
    seen = []
    while True:
        seen += [r["period_end"] for r in page["results"]]
        if page["next"] is None:
            break
        page = client.get(page["next"], **bearer(active.officer_a)).json()
    assert seen == [r["period_end"] for r in progress["results"]]
    back = client.get(page["previous"], **bearer(active.officer_a)).json()
    assert [r["period_end"] for r in back["results"]] == seen[-2:-1]
    # Filed: its state follows.
    file_progress(active)
    filed = get(
        client, url, active.officer_a, kind="progress", period_end="2024-12-31", state="Submitted"
    ).json()["results"]
    assert [(r["period_end"], r["submitted_at"] is not None) for r in filed] == [
        ("2024-12-31", True)
    ]
    assert get(client, url, active.officer_b).json()["results"] == []


def test_reports_due_refuse_an_unknown_state(client, active):
    errors = problem(get(client, reverse("api:reports_due"), active.pm, state="Late"), 400)[
        "errors"
    ]
    assert list(errors) == ["state"]


def test_progress_reports_with_their_measures_and_filters(client, active):
    report = file_progress(active)
    url = reverse("api:progress_reports")
    results = get(client, url, active.pm, status="submitted").json()["results"]
    assert [(r["id"], r["arrests"], r["period_end"]) for r in results] == [
        (report.pk, 3, "2024-12-31")
    ]
    assert get(client, url, active.pm, status="accepted").json()["results"] == []
    assert get(client, url, active.officer_b).json()["results"] == []
    detail = get(client, reverse("api:progress_report", args=[report.pk]), active.auditor).json()
    assert detail["accomplishments"] == "Opened 12 investigations."
    problem(get(client, reverse("api:progress_report", args=[report.pk]), active.officer_b), 404)


def filing_url(award, period="2024-12-31"):
    return reverse("api:award_progress_filing", args=[award.award_number, period])


def test_filing_a_progress_report_and_its_replay(client, active):
    key = uuid.uuid4()
    first = send(client, filing_url(active.award_a), PROGRESS, active.officer_a, key)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["status"], body["arrests"], body["submissions"]) == ("submitted", 3, 1)
    again = send(client, filing_url(active.award_a), PROGRESS, active.officer_a, key)
    assert (again.status_code, again.json()) == (200, body)
    changed = {**PROGRESS, "arrests": 4}
    problem(send(client, filing_url(active.award_a), changed, active.officer_a, key), 409)
    refused = send(client, filing_url(active.award_a), PROGRESS, active.officer_a)
    assert problem(refused, 400)["errors"][""][0].startswith("This report was already submitted")
    assert ProgressReport.objects.get().arrests == 3


def test_a_returned_report_is_filed_again(client, active):
    report = file_progress(active)
    report_review(actor=active.pm, report=report, accept=False, comment="Count arrests again.")
    response = send(client, filing_url(active.award_a), PROGRESS, active.officer_a)
    assert response.status_code == 201
    assert (response.json()["id"], response.json()["submissions"]) == (report.pk, 2)


def test_a_filing_with_bad_fields_has_the_forms_messages_and_writes_nothing(client, active):
    body = {**PROGRESS, "accomplishments": "", "arrests": -1, "trainings": "many"}
    errors = problem(send(client, filing_url(active.award_a), body, active.officer_a), 400)[
        "errors"
    ]
    assert errors == {
        "accomplishments": ["This field is required."],
        "arrests": ["Enter 0 or more."],
        "trainings": ["Enter a whole number."],
    }
    assert not ProgressReport.objects.exists()


def test_a_filing_out_of_order_or_for_no_period_is_refused(client, active):
    out_of_order = send(
        client, filing_url(active.award_a, "2025-06-30"), PROGRESS, active.officer_a
    )
    assert problem(out_of_order, 400)["errors"][""][0].startswith("Reports are filed in order")
    problem(send(client, filing_url(active.award_a, "2025-06-29"), PROGRESS, active.officer_a), 404)
    assert not ProgressReport.objects.exists()


def test_a_measure_sent_as_a_whole_float_is_read_as_a_number(client, active):
    response = send(
        client, filing_url(active.award_a), {**PROGRESS, "arrests": 3.0}, active.officer_a
    )
    assert response.status_code == 201, response.content
    assert response.json()["arrests"] == 3
