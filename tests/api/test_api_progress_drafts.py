"""Progress-report drafts through the API: a partial draft kept and read back, the form's
messages for a bad measure with nothing written, idempotent retries, filing removes the
draft, the pages' scope (another task force's award is a 404, auditors do not write)."""

import uuid

import pytest
from django.urls import reverse

from reports.models import MEASURES, ProgressDraft, ProgressReport
from tests.api.helpers import bearer
from tests.api.test_api_writes import problem
from tests.budgets.ledger_helpers import activate


@pytest.fixture
def active(program):
    activate(program)
    return program


def draft_url(award, period="2024-12-31"):
    return reverse("api:award_progress_draft", args=[award.award_number, period])


def put(client, url, body, user, key=None):
    headers = {**bearer(user), "HTTP_IDEMPOTENCY_KEY": str(key or uuid.uuid4())}
    return client.put(url, body, content_type="application/json", **headers)


PARTIAL = {"accomplishments": "Opened 12 investigations so far.", "arrests": 4, "trainings": None}


def test_a_partial_draft_is_saved_read_back_and_replaced(client, active):
    key = uuid.uuid4()
    first = put(client, draft_url(active.award_a), PARTIAL, active.officer_a, key)
    assert first.status_code == 201, first.content
    body = first.json()
    assert (body["award"], body["period_end"], body["updated_by"]) == (
        active.award_a.award_number,
        "2024-12-31",
        "officer_a",
    )
    assert (body["accomplishments"], body["challenges"], body["arrests"]) == (
        "Opened 12 investigations so far.",
        "",
        4,
    )
    assert body["trainings"] is None and body["complaints_received"] is None
    read = client.get(draft_url(active.award_a), **bearer(active.auditor))
    assert (read.status_code, read.json()) == (200, body)
    # The same key and body: the draft again, not a second save.
    again = put(client, draft_url(active.award_a), PARTIAL, active.officer_a, key)
    assert (again.status_code, again.json()) == (200, body)
    problem(put(client, draft_url(active.award_a), {"arrests": 5}, active.officer_a, key), 409)
    # A new key replaces the draft: the fields left out are blank again.
    replaced = put(client, draft_url(active.award_a), {"arrests": 5}, active.gadmin_a)
    assert replaced.status_code == 200
    assert (replaced.json()["arrests"], replaced.json()["accomplishments"]) == (5, "")
    assert ProgressDraft.objects.count() == 1


def test_a_bad_measure_has_the_forms_message_and_writes_nothing(client, active):
    body = {**PARTIAL, "arrests": -1, "investigators": "many", "colour": "red"}
    errors = problem(put(client, draft_url(active.award_a), body, active.officer_a), 400)["errors"]
    assert errors == {
        "colour": [
            "Unknown field: the fields here are accomplishments, challenges, next_steps, "
            + ", ".join(name for name, _ in MEASURES)
            + "."
        ]
    }
    del body["colour"]
    errors = problem(put(client, draft_url(active.award_a), body, active.officer_a), 400)["errors"]
    assert errors == {"arrests": ["Enter 0 or more."], "investigators": ["Enter a whole number."]}
    assert not ProgressDraft.objects.exists()
    problem(client.get(draft_url(active.award_a), **bearer(active.officer_a)), 404)


def test_filing_from_the_draft_removes_it(client, active):
    put(client, draft_url(active.award_a), PARTIAL, active.officer_a)
    draft = client.get(draft_url(active.award_a), **bearer(active.officer_a)).json()
    complete = {
        name: draft[name] if draft[name] is not None else 0
        for name in ("accomplishments", "challenges", "next_steps", *(n for n, _ in MEASURES))
    }
    filing = reverse("api:award_progress_filing", args=[active.award_a.award_number, "2024-12-31"])
    headers = {**bearer(active.officer_a), "HTTP_IDEMPOTENCY_KEY": str(uuid.uuid4())}
    filed = client.post(filing, complete, content_type="application/json", **headers)
    assert filed.status_code == 201, filed.content
    report = ProgressReport.objects.get()
    assert (report.arrests, report.trainings, report.accomplishments) == (
        4,
        0,
        "Opened 12 investigations so far.",
    )
    assert not ProgressDraft.objects.exists()
    problem(client.get(draft_url(active.award_a), **bearer(active.officer_a)), 404)
    refused = put(client, draft_url(active.award_a), PARTIAL, active.officer_a)
    assert problem(refused, 400)["errors"][""][0].startswith("This report was already submitted")


def test_another_task_force_gets_404_and_auditors_cannot_write(client, active):
    put(client, draft_url(active.award_a), PARTIAL, active.officer_a)
    problem(client.get(draft_url(active.award_a), **bearer(active.officer_b)), 404)
    problem(put(client, draft_url(active.award_a), {"arrests": 9}, active.officer_b), 404)
    problem(put(client, draft_url(active.award_a), {"arrests": 9}, active.auditor), 403)
    assert ProgressDraft.objects.get().data["arrests"] == 4
    problem(put(client, draft_url(active.award_a, "2024-12-30"), PARTIAL, active.officer_a), 404)
