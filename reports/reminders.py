"""Reminders about reports coming due and overdue (docs/rules/reporting-deadlines.md#reminders).

Every day, for each award that owes reports (active or in closeout), each report not
yet filed (no report submitted or accepted; a returned one counts as not filed) gets an
email at four stages: 14 days before its due date, 7 days before, on the due date, and
every day it is overdue. The overdue email also goes to the program managers. Who is
reminded, and whether the award's funds are held, the report's type says
(reports.report_types).

Each reminder is recorded as a `Reminder` row; the model's unique constraints allow the
14-day, 7-day and due-date reminders once ever and the overdue one once a day, so
running the job twice on the same day sends nothing new.
"""

import logging
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.utils import timezone

from budgets.cash_holds import sync_excess_cash_holds
from grants import access
from grants.models import Award
from reports import report_types
from reports.calendar import DueReport
from reports.closeout_clock import ClockRun, run_closeout_clock
from reports.models import Reminder
from reports.selectors import REPORTING_STATUSES, calendar_for_awards
from reports.services import place_delinquency_holds

logger = logging.getLogger(__name__)

Stage = Reminder.Stage

# Days before the due date -> the stage sent that day. Overdue (after the due date) is
# handled separately: it is sent every day.
STAGE_BY_DAYS_LEFT = {14: Stage.DAYS_14, 7: Stage.DAYS_7, 0: Stage.DUE}


def stage_for(due_on: date, today: date) -> str | None:
    """The reminder stage a report due on `due_on` is at `today`, or None."""
    days_left = (due_on - today).days
    if days_left < 0:
        return Stage.OVERDUE
    return STAGE_BY_DAYS_LEFT.get(days_left)


def responsible_people(award: Award, kind: str) -> list[User]:
    """Who files the report, so who is reminded about it: the task force's members in the
    roles its type names as filers (the same roles that may file it)."""
    return list(
        User.objects.filter(
            is_active=True,
            memberships__task_force_id=award.task_force_id,
            memberships__role__in=report_types.get(kind).filers,
        )
        .distinct()
        .order_by("username")
    )


def program_managers() -> list[User]:
    """Copied on every overdue reminder."""
    return list(
        User.objects.filter(is_active=True, groups__name=access.PROGRAM_MANAGER)
        .distinct()
        .order_by("username")
    )


def _emails(users) -> list[str]:
    """Distinct, non-empty addresses, in a stable order."""
    seen = []
    for user in users:
        address = (user.email or "").strip()
        if address and address.lower() not in {s.lower() for s in seen}:
            seen.append(address)
    return seen


def subject_for(due: DueReport, stage: str) -> str:
    on = f"{due.due_on:%m/%d/%Y}"
    what = {
        Stage.DAYS_14: f"{due.label}: due in 14 days ({on})",
        Stage.DAYS_7: f"{due.label}: due in 7 days ({on})",
        Stage.DUE: f"{due.label}: due today ({on})",
        Stage.OVERDUE: f"{due.label} is overdue (due {on})",
    }[stage]
    return f"{what}, award {due.award.award_number}"


def body_for(due: DueReport, stage: str, today: date) -> str:
    award = due.award
    if stage == Stage.OVERDUE:
        late = (today - due.due_on).days
        status = f"It is {late} day{'s' if late != 1 else ''} overdue and has not been submitted."
    elif stage == Stage.DUE:
        status = "It is due today and has not been submitted."
    else:
        status = f"It is due in {(due.due_on - today).days} days and has not been submitted yet."
    lines = [
        f"Award: {award.award_number}",
        f"Task force: {award.task_force.name}",
        f"Report: {due.label}",
        f"Period: {due.period_start:%m/%d/%Y} – {due.period_end:%m/%d/%Y}",
        f"Due: {due.due_on:%m/%d/%Y}",
        "",
        status,
    ]
    if stage == Stage.OVERDUE:
        lines.append(
            "The award's funds are on hold until the report is submitted; "
            "program managers are copied."
            if due.report_type.holds_funds
            else "Program managers are copied."
        )
    lines += ["", f"File or view the report: {due.get_absolute_url()}", ""]
    return "\n".join(lines)


@dataclass
class Summary:
    today: date
    closeout: ClockRun | None = None
    holds_placed: int = 0
    holds_lifted: int = 0
    sent: Counter = field(default_factory=Counter)  # stage -> reminders emailed
    already_sent: int = 0
    no_recipients: int = 0
    failed: int = 0

    @property
    def total_sent(self) -> int:
        return sum(self.sent.values())


def _already_sent(award: Award, key: str, stage: str, today: date) -> bool:
    reminders = Reminder.objects.filter(award=award, report_key=key, stage=stage)
    if stage == Stage.OVERDUE:
        reminders = reminders.filter(sent_on=today)
    return reminders.exists()


def _deliver(summary: Summary, reminder: Reminder, body: str, recipients: list[str]) -> None:
    """Runs once the Reminder row is committed (transaction.on_commit)."""
    try:
        send_mail(
            reminder.subject, body, settings.DEFAULT_FROM_EMAIL, recipients, fail_silently=False
        )
    except Exception:
        # The row claimed the reminder but the email did not go: give the claim back so
        # the next run tries again.
        logger.exception("Reminder email failed: %s", reminder.subject)
        Reminder.objects.filter(pk=reminder.pk).delete()
        summary.failed += 1
    else:
        summary.sent[reminder.stage] += 1


def send_reminders(*, today: date | None = None) -> Summary:
    """Move awards whose period has ended into closeout and flag those whose closeout time
    is over, place delinquency holds and excess-cash holds (lifting those whose cash is
    gone), then email every reminder due `today` (default: today)."""
    today = today or timezone.localdate()
    summary = Summary(today=today)
    # First, so an award moved into closeout today is reminded of its final reports.
    summary.closeout = run_closeout_clock(today=today)
    # Each hold is placed in its own transaction (hold_place_for_late_report is atomic).
    summary.holds_placed = len(place_delinquency_holds(today=today))
    cash = sync_excess_cash_holds(today=today)
    summary.holds_placed += len(cash.placed)
    summary.holds_lifted = cash.lifted

    awards = Award.objects.filter(status__in=REPORTING_STATUSES).order_by("award_number")
    managers = None
    staff: dict[tuple[int, str], list[User]] = {}
    for row in calendar_for_awards(awards, today=today):
        if row.is_filed:
            continue
        due = row.due
        stage = stage_for(due.due_on, today)
        if stage is None:
            continue
        if _already_sent(due.award, due.key, stage, today):
            summary.already_sent += 1
            continue
        key = (due.award.task_force_id, due.kind)
        if key not in staff:
            staff[key] = responsible_people(due.award, due.kind)
        people = staff[key]
        if stage == Stage.OVERDUE:
            if managers is None:
                managers = program_managers()
            people = people + managers
        recipients = _emails(people)
        if not recipients:
            logger.warning("No one to remind about %s of award %s", due.label, due.award)
            summary.no_recipients += 1
            continue
        subject = subject_for(due, stage)
        body = body_for(due, stage, today)
        # Record first, send after the commit. The row is the claim on the reminder: the
        # unique constraints make a second run (even a concurrent one) skip it, and the
        # email goes only once the claim is committed, so no email is sent that the
        # database does not record. No transaction stays open while the mail server is
        # slow. If sending fails, _deliver deletes the claim so the next run retries; if
        # the process dies between the commit and the send, that one reminder is lost
        # (the overdue one comes again the next day). The other choice, sending inside the
        # transaction before it commits, would instead risk a duplicate email and keep
        # the database (all of it, on SQLite) locked while the mail server answers.
        try:
            with transaction.atomic():
                reminder = Reminder.objects.create(
                    award=due.award,
                    report_key=due.key,
                    stage=stage,
                    sent_on=today,
                    recipients=", ".join(recipients),
                    subject=subject,
                )
                transaction.on_commit(
                    lambda r=reminder, b=body, to=recipients: _deliver(summary, r, b, to)
                )
        except IntegrityError:
            # Another run recorded it between our check and our insert.
            summary.already_sent += 1
    return summary
