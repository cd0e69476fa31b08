"""Progress-report drafts on the page and in the service: what was typed is kept, a bad
measure is refused with the field's message and writes nothing, filing removes the draft."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from grants.models import AuditEvent
from reports.models import MEASURES, ProgressDraft, ProgressReport
from reports.services import progress_draft_save, progress_submit
from tests.budgets.ledger_helpers import activate

PERIOD = date(2024, 12, 31)


@pytest.fixture
def filing(program):
    activate(program)
    program.award_a.refresh_from_db()
    return program


def url(program, period="2024-12-31"):
    return reverse("reports:progress_detail", args=[program.award_a.award_number, period])


def blank_measures(**given):
    return {name: given.get(name, "") for name, _ in MEASURES}


def test_save_draft_keeps_a_partial_report_and_prefills_the_form(client, filing):
    client.force_login(filing.officer_a)
    typed = {
        "accomplishments": "Opened 12 investigations so far.",
        "challenges": "",
        "next_steps": "",
        **blank_measures(arrests="4", trainings="0"),
        "save_draft": "1",
    }
    response = client.post(url(filing), typed)
    assert response.status_code == 302
    draft = ProgressDraft.objects.get()
    assert draft.data["accomplishments"] == "Opened 12 investigations so far."
    assert (draft.data["arrests"], draft.data["trainings"], draft.data["complaints_received"]) == (
        4,
        0,
        None,
    )
    assert draft.updated_by == filing.officer_a
    assert not ProgressReport.objects.exists()
    event = AuditEvent.objects.get(action="reports.progress.draft_saved")
    assert (event.actor, event.data["after"]["arrests"]) == (filing.officer_a, 4)

    page = client.get(url(filing))
    form = page.context["form"]
    assert form.initial["accomplishments"] == "Opened 12 investigations so far."
    assert form.initial["arrests"] == 4 and form.initial["complaints_received"] is None
    html = page.content.decode()
    name = filing.officer_a.get_full_name() or filing.officer_a.username
    assert f"Draft saved {timezone.localdate():%m/%d/%Y} by {name}" in html
    assert 'name="save_draft"' in html
    assert 'value="Opened 12 investigations so far."' in html or (
        "Opened 12 investigations so far.</textarea>" in html
    )


def test_a_bad_measure_in_a_draft_names_the_field_and_writes_nothing(client, filing):
    client.force_login(filing.officer_a)
    response = client.post(
        url(filing),
        {
            "accomplishments": "Half done.",
            **blank_measures(arrests="-1", trainings="many"),
            "save_draft": "1",
        },
    )
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors == {"arrests": ["Enter 0 or more."], "trainings": ["Enter a whole number."]}
    assert not ProgressDraft.objects.exists()
    assert not AuditEvent.objects.filter(action="reports.progress.draft_saved").exists()


def test_submitting_from_the_draft_files_the_report_and_removes_the_draft(client, filing):
    progress_draft_save(
        actor=filing.gadmin_a,
        award=filing.award_a,
        period_end=PERIOD,
        data={"accomplishments": "Opened 12 investigations.", "arrests": 4},
    )
    client.force_login(filing.officer_a)
    # Submitting needs every field: a draft's blanks are the form's required errors.
    refused = client.post(url(filing), {"accomplishments": "Opened 12 investigations."})
    assert refused.context["form"].errors["arrests"] == ["This field is required."]
    assert ProgressDraft.objects.exists()
    complete = {
        "accomplishments": "Opened 12 investigations.",
        **{name: "3" for name, _ in MEASURES},
        "arrests": "4",
    }
    assert client.post(url(filing), complete).status_code == 302
    report = ProgressReport.objects.get()
    assert (report.status, report.arrests, report.trainings) == ("submitted", 4, 3)
    assert not ProgressDraft.objects.exists()
    assert "Draft saved" not in client.get(url(filing)).content.decode()


def test_another_task_force_gets_404_and_auditors_cannot_save_a_draft(client, filing):
    body = {"accomplishments": "Mine.", **blank_measures(), "save_draft": "1"}
    client.force_login(filing.officer_b)
    assert client.post(url(filing), body).status_code == 404
    client.force_login(filing.auditor)
    assert client.post(url(filing), body).status_code == 403
    assert not ProgressDraft.objects.exists()
    with pytest.raises(PermissionDenied):
        progress_draft_save(actor=filing.auditor, award=filing.award_a, period_end=PERIOD, data={})


def test_the_service_checks_types_and_the_period(filing):
    with pytest.raises(ValidationError) as error:
        progress_draft_save(
            actor=filing.officer_a,
            award=filing.award_a,
            period_end=PERIOD,
            data={"arrests": 2.5, "trainings": True, "colour": "red"},
        )
    assert error.value.message_dict == {"colour": ["A progress report has no field colour."]}
    with pytest.raises(ValidationError) as error:
        progress_draft_save(
            actor=filing.officer_a,
            award=filing.award_a,
            period_end=PERIOD,
            data={"arrests": 2.5, "trainings": True, "investigators": -1},
        )
    assert error.value.message_dict == {
        "arrests": ["Arrests: enter a whole number, 0 or more."],
        "trainings": ["Trainings delivered: enter a whole number, 0 or more."],
        "investigators": ["Investigators: enter a whole number, 0 or more."],
    }
    with pytest.raises(ValidationError, match="does not end a reporting period"):
        progress_draft_save(
            actor=filing.officer_a, award=filing.award_a, period_end=date(2024, 12, 30), data={}
        )
    # A later period may be drafted before its report can be filed.
    draft, created = progress_draft_save(
        actor=filing.officer_a, award=filing.award_a, period_end=date(2025, 6, 30), data={}
    )
    assert created and draft.data["arrests"] is None
    progress_submit(
        actor=filing.officer_a,
        award=filing.award_a,
        period_end=PERIOD,
        narrative={"accomplishments": "Done."},
        measures={name: 1 for name, _ in MEASURES},
        today=date(2025, 1, 20),
    )
    with pytest.raises(ValidationError, match="already submitted"):
        progress_draft_save(
            actor=filing.officer_a, award=filing.award_a, period_end=PERIOD, data={}
        )
    assert list(ProgressDraft.objects.values_list("period_end", flat=True)) == [date(2025, 6, 30)]


def test_a_period_not_ended_is_drafted_on_the_page_but_not_submitted(client, filing, pin_today):
    pin_today(date(2025, 6, 2))
    client.force_login(filing.gadmin_a)
    later = url(filing, "2025-06-30")
    page = client.get(later).content.decode()
    assert "can be filed from 07/01/2025" in page
    assert 'name="save_draft"' in page and "Submit progress report" not in page
    typed = {"accomplishments": "Half a year in.", **blank_measures(arrests="2"), "save_draft": "1"}
    assert client.post(later, typed).status_code == 302
    assert ProgressDraft.objects.get(period_end=date(2025, 6, 30)).data["arrests"] == 2
