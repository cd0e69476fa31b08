"""Closeout on time (docs/rules/reporting-deadlines.md#closeout-clock).

Counted from the day the period of performance ends (day 0): on day 1 the daily run moves
an active award into closeout (JustGrants generates the closeout package that day); the
recipient has until the last day of the closeout time, day 120 (`final_report_days`, and
the liquidation period `liquidation_days` if that were longer), to file its final reports,
pay its obligations and draw its last cash; from day 121 an award still in closeout is
flagged for unilateral closeout, recording what is still missing then. Records are kept
`record_retention_years` from the final SF-425's submission.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from budgets.balances import award_balances
from grants.duties import lock_award
from grants.models import Award
from grants.money import ZERO, format_money
from grants.months import add_years
from grants.selectors import rule_value
from grants.services import award_flag_unilateral_closeout, award_start_closeout_by_system
from reports.models import FILED_IN, FinancialReport
from reports.services import checklist_blockers, closeout_checklist

JOB = "closeout_clock"


def closeout_days(award: Award) -> int:
    """How many days after the period ends the recipient has to complete closeout."""
    return max(
        int(rule_value("final_report_days", on=award.period_end)),
        int(rule_value("liquidation_days", on=award.period_end)),
    )


def closeout_due(award: Award) -> date:
    """The last day of the closeout time (day 120)."""
    return award.period_end + timedelta(days=closeout_days(award))


def closeout_day(award: Award, today: date) -> int:
    """Days since the period ended: 0 on its last day, 1 the day closeout starts."""
    return (today - award.period_end).days


def still_missing(award: Award) -> list[str]:
    """What closeout still needs, in the words of its checklist, with the amounts: the
    checklist's open items, and the unliquidated obligations the ledger shows."""
    missing = [
        f"{item.label}: not yet ({item.detail})"
        for item in checklist_blockers(closeout_checklist(award))
    ]
    unliquidated = award_balances(award, as_of=date.max).unliquidated
    if unliquidated > ZERO:
        missing.append(f"Unliquidated obligations of {format_money(unliquidated)} to pay or cancel")
    return missing


def final_sf425_submitted_on(award: Award) -> date | None:
    """The day the final SF-425 now on file (submitted or accepted) was submitted."""
    report = (
        FinancialReport.objects.filter(award=award, is_final=True, status__in=FILED_IN)
        .only("submitted_at")
        .first()
    )
    return submitted_day(report.submitted_at) if report else None


def submitted_day(moment) -> date | None:
    """The local day of a submission: the day the person filing saw on the clock."""
    return timezone.localtime(moment).date() if moment else None


def records_retained_until(submitted_on: date | None) -> date | None:
    """The end of record retention: `record_retention_years` (in force on the day the final
    SF-425 was submitted) after that day; a February 29 start ends on February 28."""
    if submitted_on is None:
        return None
    years = int(rule_value("record_retention_years", on=submitted_on))
    return add_years(submitted_on, years)


@dataclass
class ClockRun:
    today: date
    started: list[Award] = field(default_factory=list)
    flagged: list[Award] = field(default_factory=list)
    waiting: list[str] = field(default_factory=list)  # awards a waiting request keeps open


def run_closeout_clock(*, today: date) -> ClockRun:
    """The daily run. Each award is moved or flagged in its own transaction under its
    lock, and the services check again there, so a second run the same day (or a
    concurrent one) changes nothing."""
    run = ClockRun(today=today)
    ended = Award.objects.filter(status=Award.Status.ACTIVE, period_end__lt=today)
    for award in ended.order_by("award_number"):
        try:
            moved = award_start_closeout_by_system(award=award, today=today, by=JOB)
        except ValidationError as error:
            run.waiting.append(f"{award.award_number}: {' '.join(error.messages)}")
            continue
        if moved:
            run.started.append(moved)
    in_closeout = Award.objects.filter(
        status=Award.Status.IN_CLOSEOUT, unilateral_closeout_on__isnull=True
    ).order_by("award_number")
    for award in in_closeout:
        if today <= closeout_due(award):
            continue
        with transaction.atomic():
            # What is missing is read under the award's lock, so it is what the flag says.
            award = lock_award(award.pk)
            missing = still_missing(award)
            if not missing:
                continue  # everything is in: a program manager closes it
            flagged = award_flag_unilateral_closeout(
                award=award, today=today, missing=missing, by=JOB
            )
        if flagged:
            run.flagged.append(flagged)
    return run
