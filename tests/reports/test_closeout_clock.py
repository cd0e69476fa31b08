"""Closeout on time (docs/rules/reporting-deadlines.md#closeout-clock), with the clock
frozen by passing the day (`--today`).

Award A's period ends 09/30/2026 (day 0): it moves into closeout on 10/01/2026 (day 1),
its closeout time ends 01/28/2027 (day 120) and it is flagged for unilateral closeout on
01/29/2027 (day 121) if anything is still missing."""

from datetime import date, datetime, time
from decimal import Decimal
from io import BytesIO, StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants.amendments import extension_request
from grants.audit import AuditEvent
from grants.models import Award, RuleValue
from reports.closeout_clock import records_retained_until, run_closeout_clock
from reports.models import MEASURES, FinancialReport, ProgressReport
from tests.budgets.ledger_helpers import activate, post
from tests.reports.prepared_helpers import fetch_prepared

DAY_0 = date(2026, 9, 30)
DAY_1 = date(2026, 10, 1)
DAY_120 = date(2027, 1, 28)
DAY_121 = date(2027, 1, 29)


@pytest.fixture
def active(program):
    program.award_a = activate(program)
    return program


def command(day: date) -> list[str]:
    out = StringIO()
    call_command("send_reminders", "--today", day.isoformat(), stdout=out, stderr=StringIO())
    lines = out.getvalue().splitlines()
    # The summary, from "As of", after the lines that tell each phase's progress.
    return lines[next(i for i, line in enumerate(lines) if line.startswith("As of ")) :]


def status(program) -> str:
    return Award.objects.get(pk=program.award_a.pk).status


def test_on_day_0_the_award_stays_active(active):
    lines = command(DAY_0)
    assert "Moved into closeout: 0" in lines
    assert status(active) == "active"
    assert not AuditEvent.objects.filter(action="grants.award.in_closeout").exists()


def test_on_day_1_the_system_moves_the_award_into_closeout_once(active):
    lines = command(DAY_1)
    assert lines[1:3] == [
        "Moved into closeout: 1",
        "  15PJDP-25-GK-00001-MECP",
    ]
    award = Award.objects.get(pk=active.award_a.pk)
    assert (award.status, award.closeout_started_on) == ("in_closeout", DAY_1)
    event = AuditEvent.objects.get(action="grants.award.in_closeout")
    assert event.actor is None and event.task_force == active.task_force_a
    assert event.data == {
        "by": "closeout_clock",
        "as_of": "2026-10-01",
        "period_end": "2026-09-30",
        "before": {"closeout_started_on": None, "status": "active"},
        "after": {"closeout_started_on": "2026-10-01", "status": "in_closeout"},
    }
    # Run again the same day: nothing changes, nothing is recorded.
    events = AuditEvent.objects.count()
    again = command(DAY_1)
    assert "Moved into closeout: 0" in again and "Flagged for unilateral closeout: 0" in again
    assert AuditEvent.objects.filter(action="grants.award.in_closeout").count() == 1
    assert AuditEvent.objects.count() == events


def test_a_request_still_waiting_keeps_the_award_active_and_is_reported(active):
    extension_request(
        actor=active.gadmin_a,
        award=active.award_a,
        new_end=date(2027, 3, 31),
        reason="Trial delayed",
        today=date(2026, 8, 31),
    )
    err = StringIO()
    call_command("send_reminders", "--today", "2026-10-01", stdout=StringIO(), stderr=err)
    assert status(active) == "active"
    assert err.getvalue().splitlines() == [
        "Not moved into closeout, a request waits: 15PJDP-25-GK-00001-MECP: Decide the "
        "requests still waiting before closeout: amendment 1 (no-cost extension)."
    ]


def test_on_day_120_the_award_is_in_closeout_and_not_flagged(active):
    post(active, "obligation", Decimal("1000.00"))
    run_closeout_clock(today=DAY_1)
    run = run_closeout_clock(today=DAY_120)
    assert run.flagged == []
    award = Award.objects.get(pk=active.award_a.pk)
    assert (award.status, award.unilateral_closeout_on) == ("in_closeout", None)


def test_on_day_121_what_is_missing_is_flagged_once(active):
    post(active, "obligation", Decimal("1000.00"))
    run_closeout_clock(today=DAY_1)
    lines = command(DAY_121)
    missing = [
        "Final SF-425 accepted, with no unliquidated obligations: not yet (Not filed)",
        "Final progress report accepted: not yet (Not filed)",
        "Remaining balance to deobligate recorded: not yet ($199,000.00 to deobligate)",
        "Unliquidated obligations of $1,000.00 to pay or cancel",
    ]
    assert lines[2:4] == [
        "Flagged for unilateral closeout: 1",
        "  15PJDP-25-GK-00001-MECP: " + "; ".join(missing),
    ]
    award = Award.objects.get(pk=active.award_a.pk)
    assert (award.unilateral_closeout_on, award.unilateral_closeout_missing) == (DAY_121, missing)
    event = AuditEvent.objects.get(action="grants.award.unilateral_closeout_flagged")
    assert event.actor is None
    assert event.data["after"] == {"unilateral_closeout_on": "2027-01-29", "missing": missing}
    assert event.data["by"] == "closeout_clock"
    # The next run, that day or later, changes nothing: flagged once, with the list then.
    assert run_closeout_clock(today=DAY_121).flagged == []
    assert run_closeout_clock(today=date(2027, 2, 15)).flagged == []
    assert AuditEvent.objects.filter(action="grants.award.unilateral_closeout_flagged").count() == 1


def test_an_award_whose_period_ended_long_ago_moves_and_is_flagged_in_one_run(active):
    run = run_closeout_clock(today=date(2027, 3, 1))
    assert [a.award_number for a in run.started] == [active.award_a.award_number]
    assert [a.award_number for a in run.flagged] == [active.award_a.award_number]
    award = Award.objects.get(pk=active.award_a.pk)
    assert (award.closeout_started_on, award.unilateral_closeout_on) == (
        date(2027, 3, 1),
        date(2027, 3, 1),
    )


def _filed(program, model, submitted_on: date, **fields):
    return model.objects.create(
        award=program.award_a,
        period_end=program.award_a.period_end,
        is_final=True,
        status="accepted",
        submitted_by=program.officer_a,
        submitted_at=timezone.make_aware(datetime.combine(submitted_on, time(12))),
        **fields,
    )


def _final_sf425(program, submitted_on: date):
    return _filed(
        program,
        FinancialReport,
        submitted_on,
        lines={"10f": "0.00"},
        certifier_name="Lena Alvarez",
        certifier_title="Finance officer",
        certifier_phone="555-0100",
        certifier_email="lena@example.gov",
    )


def test_nothing_missing_on_day_121_means_no_flag(active):
    run_closeout_clock(today=DAY_1)
    _final_sf425(active, date(2027, 1, 20))
    _filed(
        active,
        ProgressReport,
        date(2027, 1, 20),
        accomplishments="Done.",
        **{name: 0 for name, _ in MEASURES},
    )
    assert run_closeout_clock(today=DAY_121).flagged == []
    assert Award.objects.get(pk=active.award_a.pk).unilateral_closeout_on is None


def test_records_are_kept_three_years_from_the_final_sf425s_submission(db):
    assert records_retained_until(date(2026, 1, 20)) == date(2029, 1, 20)
    assert records_retained_until(date(2028, 2, 29)) == date(2031, 2, 28)
    assert records_retained_until(None) is None


def test_the_retention_in_force_on_the_submission_day_applies(db):
    RuleValue.objects.filter(key="record_retention_years").update(effective_to=date(2029, 12, 31))
    RuleValue.objects.create(
        key="record_retention_years",
        value=5,
        unit="years",
        effective_from=date(2030, 1, 1),
        description="A longer retention",
        source="Test",
        evidence="I",
    )
    assert records_retained_until(date(2029, 12, 31)) == date(2032, 12, 31)
    assert records_retained_until(date(2030, 1, 1)) == date(2035, 1, 1)


def test_award_page_shows_the_closeout_day_flag_and_retention(active, client):
    post(active, "obligation", Decimal("1000.00"))
    client.force_login(active.officer_a)
    url = active.award_a.get_absolute_url()
    page = client.get(url).content.decode()
    assert "Starts 10/01/2026, the day after the period ends" in page
    assert "3 years from the final SF-425's submission (not submitted yet)" in page
    run_closeout_clock(today=DAY_1)
    run_closeout_clock(today=DAY_121)
    _final_sf425(active, date(2027, 2, 10))
    page = client.get(url).content.decode()
    assert "<strong>Flagged for unilateral closeout</strong> on 01/29/2027" in page
    assert "<li>Unliquidated obligations of $1,000.00 to pay or cancel</li>" in page
    assert "In closeout since 10/01/2026." in page
    assert "02/10/2030 (final SF-425 submitted 02/10/2027)" in page


def test_awards_sheet_exports_closeout_dates_and_retention(active, client):
    run_closeout_clock(today=DAY_1)
    run_closeout_clock(today=DAY_121)
    _final_sf425(active, date(2027, 2, 10))
    client.force_login(active.auditor)
    response = fetch_prepared(
        client, reverse("exports:award_workbook", args=[active.award_a.award_number])
    )
    book = load_workbook(BytesIO(b"".join(response.streaming_content)))
    sheet = book["Terms"]
    header = [c.value for c in sheet[1]]
    row = dict(zip(header, [c.value for c in sheet[2]], strict=True))
    assert row["Closeout started"].date() == DAY_1
    assert row["Flagged for unilateral closeout"].date() == DAY_121
    assert row["Missing when flagged"].startswith("Final SF-425 accepted")
    assert row["Final SF-425 submitted"].date() == date(2027, 2, 10)
    assert row["Records kept until"].date() == date(2030, 2, 10)
