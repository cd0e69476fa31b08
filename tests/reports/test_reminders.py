"""Reminders about reports coming due: the stages, who gets them, never twice.

Award A runs 10/01/2024–09/30/2026: its first SF-425 and its first progress report
(both for the period ending 12/31/2024) are due 01/30/2025. The clock is frozen by
passing the date (`today=`, `--today`)."""

from datetime import date
from io import StringIO
from unittest import mock

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from grants.models import Award, Hold
from reports.models import Reminder
from reports.reminders import responsible_people, send_reminders, stage_for
from reports.services import report_review, sf425_submit
from tests import factories
from tests.budgets.ledger_helpers import activate

A = "15PJDP-25-GK-00001-MECP"
B = "15PJDP-25-GK-00002-MECP"
DUE = date(2025, 1, 30)
CERTIFIER = {
    "certifier_name": "Lena Alvarez",
    "certifier_title": "Finance officer",
    "certifier_phone": "555-0100",
    "certifier_email": "lena@example.gov",
}


@pytest.fixture
def active(program):
    return _both_active(program)


def _both_active(program):
    """Both task forces' awards active: each owes reports."""
    activate(program)
    Award.objects.filter(pk=program.award_b.pk).update(status=Award.Status.ACTIVE)
    return program


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """send_reminders on a given day, its emails delivered (they go out on commit)."""

    def run_on(day: date):
        with django_capture_on_commit_callbacks(execute=True):
            summary = send_reminders(today=day)
        return summary

    return run_on


def _by_subject(messages, award_number):
    """The award's messages, the SF-425's first."""
    return sorted(
        (m for m in messages if award_number in m.subject),
        key=lambda m: (not m.subject.startswith("SF-425"), m.subject),
    )


def test_stage_for():
    assert stage_for(DUE, date(2025, 1, 15)) is None
    assert stage_for(DUE, date(2025, 1, 16)) == "14_days"
    assert stage_for(DUE, date(2025, 1, 17)) is None
    assert stage_for(DUE, date(2025, 1, 23)) == "7_days"
    assert stage_for(DUE, date(2025, 1, 29)) is None
    assert stage_for(DUE, DUE) == "due"
    assert stage_for(DUE, date(2025, 1, 31)) == "overdue"
    assert stage_for(DUE, date(2025, 6, 1)) == "overdue"


def test_responsible_people(active):
    award = active.award_a
    assert responsible_people(award, "sf425") == [active.officer_a]
    assert responsible_people(award, "progress") == [active.gadmin_a, active.officer_a]
    assert responsible_people(active.award_b, "progress") == [active.officer_b]


def test_fourteen_days_before(active, run):
    summary = run(date(2025, 1, 16))
    assert summary.total_sent == 4 and summary.sent["14_days"] == 4 and summary.holds_placed == 0
    sf425, progress = _by_subject(mail.outbox, A)
    assert sf425.subject == (
        f"SF-425 financial report, period ending 12/31/2024: due in 14 days (01/30/2025), award {A}"
    )
    assert sf425.to == ["officer_a@example.gov"]
    assert progress.subject.startswith("Progress report, period ending 12/31/2024: due in 14 days")
    assert progress.to == ["gadmin_a@example.gov", "officer_a@example.gov"]
    for line in (
        f"Award: {A}",
        "Task force: Alpha ICAC Task Force",
        "Report: SF-425 financial report, period ending 12/31/2024",
        "Due: 01/30/2025",
        reverse("reports:sf425_detail", args=[A, "2024-12-31"]),
    ):
        assert line in sf425.body
    assert reverse("reports:progress_detail", args=[A, "2024-12-31"]) in progress.body
    # Task force B's reminders go to B's officer only, and say nothing of A.
    for message in _by_subject(mail.outbox, B):
        assert message.to == ["officer_b@example.gov"]
        assert A not in message.body and "Alpha" not in message.body

    reminder = Reminder.objects.get(award=active.award_a, report_key="sf425:2024-12-31")
    assert (reminder.stage, reminder.sent_on) == ("14_days", date(2025, 1, 16))
    assert reminder.recipients == "officer_a@example.gov"
    assert reminder.subject == sf425.subject
    assert Reminder.objects.count() == 4


def test_only_on_the_stage_days(active, run):
    sent = {}
    for day in range(1, 31):
        mail.outbox.clear()
        run(date(2025, 1, day))
        sent[day] = sorted({m.subject.split(": ", 1)[1].split(" (")[0] for m in mail.outbox})
    assert {day: s for day, s in sent.items() if s} == {
        16: ["due in 14 days"],
        23: ["due in 7 days"],
        30: ["due today"],
    }
    due_today = _by_subject(mail.outbox, A)  # the outbox holds the last day's: 01/30
    assert [m.subject.split(",")[0] for m in due_today] == [
        "SF-425 financial report",
        "Progress report",
    ]
    assert due_today[0].subject.endswith(f"due today (01/30/2025), award {A}")
    # The program managers are not copied before a report is late.
    assert all("pm@example.gov" not in m.to for m in mail.outbox)


def test_overdue_every_day_with_program_managers_copied(active, run):
    second_pm = factories.make_user("pm2", groups=["Program manager"])
    gone = factories.make_user("pm_gone", groups=["Program manager"])
    gone.is_active = False
    gone.save()
    summary = run(date(2025, 1, 31))
    assert summary.sent["overdue"] == 4
    assert summary.holds_placed == 4  # both awards, both reports
    sf425, progress = _by_subject(mail.outbox, A)
    assert sf425.subject == (
        f"SF-425 financial report, period ending 12/31/2024 is overdue (due 01/30/2025), award {A}"
    )
    assert sf425.to == ["officer_a@example.gov", "pm@example.gov", second_pm.email]
    assert progress.to == [
        "gadmin_a@example.gov",
        "officer_a@example.gov",
        "pm@example.gov",
        "pm2@example.gov",
    ]
    assert "1 day overdue" in sf425.body
    assert Hold.objects.filter(award=active.award_a, lifted_at__isnull=True).count() == 2

    mail.outbox.clear()
    summary = run(date(2025, 2, 1))
    assert summary.sent["overdue"] == 4 and summary.holds_placed == 0
    assert "2 days overdue" in _by_subject(mail.outbox, A)[0].body
    assert list(
        Reminder.objects.filter(award=active.award_a, report_key="sf425:2024-12-31")
        .order_by("sent_on")
        .values_list("stage", "sent_on")
    ) == [("overdue", date(2025, 1, 31)), ("overdue", date(2025, 2, 1))]


def test_running_twice_the_same_day_sends_nothing_new(active, run):
    for day in (date(2025, 1, 16), DUE, date(2025, 2, 3)):
        first = run(day)
        sent = len(mail.outbox)
        assert first.total_sent == 4
        again = run(day)
        assert again.total_sent == 0 and again.already_sent == 4
        assert len(mail.outbox) == sent
    assert Reminder.objects.count() == 12


def test_the_constraint_is_the_backstop(active, run):
    """Two runs racing: the second one's check saw nothing, its insert hits the
    constraint, and it sends nothing."""
    run(date(2025, 2, 3))
    mail.outbox.clear()
    with mock.patch("reports.reminders._already_sent", return_value=False):
        summary = run(date(2025, 2, 3))
    assert summary.total_sent == 0 and summary.already_sent == 4
    assert mail.outbox == []
    assert Reminder.objects.count() == 4


def test_a_submitted_report_gets_no_reminders_a_returned_one_does(active, run):
    award = active.award_a
    report = sf425_submit(
        actor=active.officer_a,
        award=award,
        period_end=date(2024, 12, 31),
        certifier=CERTIFIER,
        today=date(2025, 1, 10),
    )
    run(date(2025, 1, 16))
    assert [m.subject.split(",")[0] for m in _by_subject(mail.outbox, A)] == ["Progress report"]
    assert not Reminder.objects.filter(award=award, report_key="sf425:2024-12-31").exists()

    report_review(actor=active.pm, report=report, accept=False, comment="Line 10b is wrong.")
    mail.outbox.clear()
    run(date(2025, 1, 23))
    assert [m.subject.split(",")[0] for m in _by_subject(mail.outbox, A)] == [
        "SF-425 financial report",
        "Progress report",
    ]
    assert Reminder.objects.get(award=award, report_key="sf425:2024-12-31").stage == "7_days"

    # Accepted counts as filed too.
    sf425_submit(
        actor=active.officer_a,
        award=award,
        period_end=date(2024, 12, 31),
        certifier=CERTIFIER,
        today=date(2025, 1, 24),
    )
    mail.outbox.clear()
    run(DUE)
    assert [m.subject.split(",")[0] for m in _by_subject(mail.outbox, A)] == ["Progress report"]


def test_awards_not_active_get_no_reminders(program, run):
    """A draft award owes nothing yet."""
    summary = run(date(2025, 1, 16))
    assert summary.total_sent == 0 and mail.outbox == []


def test_people_without_an_email_address_are_skipped(active, run):
    active.officer_a.email = ""
    active.officer_a.save()
    run(date(2025, 1, 16))
    sf425_a = [m for m in _by_subject(mail.outbox, A) if m.subject.startswith("SF-425")]
    progress_a = [m for m in _by_subject(mail.outbox, A) if m.subject.startswith("Progress")]
    assert sf425_a == []  # no one to tell: nothing sent, nothing recorded, tried again later
    assert progress_a[0].to == ["gadmin_a@example.gov"]
    assert not Reminder.objects.filter(award=active.award_a, report_key="sf425:2024-12-31").exists()


def test_a_failed_email_is_retried_on_the_next_run(active, run):
    with mock.patch("reports.reminders.send_mail", side_effect=ConnectionRefusedError):
        summary = run(date(2025, 2, 3))
    assert summary.failed == 4 and summary.total_sent == 0
    assert not Reminder.objects.exists()
    summary = run(date(2025, 2, 3))
    assert summary.total_sent == 4 and len(mail.outbox) == 4


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_command(committed_program):
    """Outside a test transaction, as in production: each reminder commits, then goes."""
    _both_active(committed_program)
    out = StringIO()
    call_command("send_reminders", "--today", "2025-01-31", stdout=out)
    lines = out.getvalue().splitlines()
    # Its phases as it goes, then the summary.
    assert lines[0] == "Closeout, holds and reminders..."
    assert lines[1].startswith("Closeout, holds and reminders done: 4 reminder(s) sent (")
    assert lines[2:4] == ["Unused accounts...", lines[3]] and lines[3].startswith(
        "Unused accounts done ("
    )
    assert lines[4:6] == ["Expired downloads...", lines[5]] and lines[5].startswith(
        "Expired downloads done ("
    )
    for index, phase in ((6, "Abandoned downloads"), (8, "Expired uploads")):
        assert lines[index : index + 2] == [f"{phase}...", lines[index + 1]]
        assert lines[index + 1].startswith(f"{phase} done (")
    assert lines[10:] == [
        "As of 01/31/2025:",
        "Moved into closeout: 0",
        "Flagged for unilateral closeout: 0",
        "Holds placed: 4",
        "Reminders sent: 4 (14 days before: 0, 7 days before: 0, on the due date: 0, overdue: 4)",
        "Already sent earlier: 0",
        "Expired downloads deleted: 0",
        "Downloads failed, their worker stopped: 0",
        "Expired uploads deleted: 0",
        "Accounts disabled after 90 days unused: 0",
        # The daily duties of the apps built on reports (compliance).
        "SAM.gov holds placed: 0, lifted: 0",
        "SAM.gov reminders sent: 0",
        "Single audits overdue: 0",
        "Equipment due for its physical inventory: 0",
        "Equipment awaiting its disposition at closeout: 0",
    ]
    assert len(mail.outbox) == 4
    out = StringIO()
    call_command("send_reminders", "--today", "2025-01-31", stdout=out)
    assert "Holds placed: 0" in out.getvalue()
    assert "Reminders sent: 0 " in out.getvalue() and "Already sent earlier: 4" in out.getvalue()
    assert len(mail.outbox) == 4
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("send_reminders", "--today", "01/31/2025")


def test_staff_page_lists_reminders_newest_first_by_stage(active, run, client):
    run(date(2025, 1, 16))
    run(date(2025, 1, 31))
    client.force_login(active.pm)
    body = client.get(reverse("reports:reminders")).content.decode()
    assert body.index("01/31/2025") < body.index("01/16/2025")
    assert body.count("<tr>") == 1 + 8
    overdue = client.get(reverse("reports:reminders"), {"stage": "overdue"}).content.decode()
    assert overdue.count('<td data-label="Stage">Overdue</td>') == 4
    assert '<td data-label="Stage">14 days before</td>' not in overdue
    assert "SF-425, period ending 12/31/2024</a>" in overdue
    assert "Alpha ICAC Task Force" in overdue
    assert overdue.count("<tr>") == 1 + 4
    assert reverse("reports:sf425_detail", args=[A, "2024-12-31"]) in overdue
    # An unknown stage shows everything.
    assert (
        client.get(reverse("reports:reminders"), {"stage": "x"}).content.decode().count("<tr>") == 9
    )
    client.force_login(active.officer_a)
    assert client.get(reverse("reports:reminders")).status_code == 403
