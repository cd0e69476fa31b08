from datetime import date

from django.core.management.base import BaseCommand, CommandError

from accounts.services import disable_unused_accounts
from budgets import kept_uploads
from grants.progress import Progress
from reports import daily_duties
from reports.models import Reminder
from reports.prepared import delete_expired
from reports.reminders import send_reminders
from reports.workers import sweep


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise CommandError(f"--today must be a date written YYYY-MM-DD, not {value!r}") from None


class Command(BaseCommand):
    help = (
        "Move awards into closeout the day after their period ends and flag those still "
        "in closeout after the closeout time for unilateral closeout; place holds on awards with reports past due or cash held past the disbursement "
        "period (and lift those whose cash is gone), then email the reminders due today: "
        "14 and 7 days before a report's due date, on it, and every day it is overdue. "
        "Disable accounts with no sign-in for the account_inactive_days rule value. "
        "Delete prepared downloads kept past their last day, mark failed those whose "
        "worker stopped, and delete uploaded files kept a day and never imported. "
        "Run it once a day; running it again the same day sends nothing new. "
        "The same command as run_daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--today", type=_date, default=None, help="Run as of this date (YYYY-MM-DD)."
        )

    def handle(self, *args, today=None, **options):
        progress = Progress(self.stdout, options["verbosity"])
        with progress.phase("Closeout, holds and reminders") as phase:
            summary = send_reminders(today=today)
            phase.summary = f"{summary.total_sent} reminder(s) sent"
        with progress.phase("Unused accounts"):
            disabled = disable_unused_accounts(today=summary.today)
        with progress.phase("Expired downloads"):
            expired = delete_expired(today=summary.today)
        with progress.phase("Abandoned downloads"):
            abandoned = sweep()
        with progress.phase("Expired uploads"):
            uploads = kept_uploads.delete_expired()
        by_stage = ", ".join(
            f"{label.lower()}: {summary.sent[value]}" for value, label in Reminder.Stage.choices
        )
        progress.say(f"As of {summary.today:%m/%d/%Y}:")
        closeout = summary.closeout
        progress.say(
            f"Moved into closeout: {len(closeout.started)}"
            + "".join(f"\n  {a.award_number}" for a in closeout.started)
        )
        progress.say(
            f"Flagged for unilateral closeout: {len(closeout.flagged)}"
            + "".join(
                f"\n  {a.award_number}: " + "; ".join(a.unilateral_closeout_missing)
                for a in closeout.flagged
            )
        )
        for line in closeout.waiting:
            self.stderr.write(f"Not moved into closeout, a request waits: {line}")
        progress.say(f"Holds placed: {summary.holds_placed}")
        if summary.holds_lifted:
            progress.say(f"Excess-cash holds lifted: {summary.holds_lifted}")
        progress.say(f"Reminders sent: {summary.total_sent} ({by_stage})")
        progress.say(f"Already sent earlier: {summary.already_sent}")
        progress.say(f"Expired downloads deleted: {len(expired)}")
        progress.say(f"Downloads failed, their worker stopped: {abandoned}")
        progress.say(f"Expired uploads deleted: {uploads}")
        progress.say(
            f"Accounts disabled after {disabled.inactive_days} days unused: "
            f"{len(disabled.disabled)}" + "".join(f"\n  {name}" for name in disabled.disabled)
        )
        for line in daily_duties.run(summary.today):
            progress.say(line)
        if summary.no_recipients:
            self.stderr.write(f"Reports with no one to remind: {summary.no_recipients}")
        if summary.failed:
            raise CommandError(
                f"{summary.failed} reminder email(s) could not be sent; they will be retried on the next run."
            )
