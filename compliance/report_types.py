"""The FFATA subaward report, declared in the report-type registry so the calendar, due
list, feed, reminders, delinquency holds, filing page, PDF and evidence packs handle it
like every other report (docs/adding-a-report-type.md).

A prime recipient reports each first-tier subaward of the FFATA threshold or more
($30,000 since 2020, a dated rule value read on the date signed) in SAM.gov by the end
of the month after the month it was made (2 CFR 170, Appendix A). The subawards of one
award signed in one month are reported together: the report's period is that month.
A smaller subaward is exempt and owes no report.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from compliance.models import FfataReport, Subaward
from compliance.rules import end_of_month, end_of_next_month
from grants.models import Award, Membership
from grants.selectors import RuleBook
from reports.report_types import Event, EventTriggered, ReportType, register

THRESHOLD = "ffata_subaward_threshold"


@dataclass(frozen=True)
class Ffata:
    """What FFATA asks of one subaward: the threshold in force on its date signed and,
    when it is at or above it, the day its report is due (None: exempt)."""

    threshold: Decimal
    due_on: date | None

    @property
    def reportable(self) -> bool:
        return self.due_on is not None


def ffata_of(amount: Decimal, signed_on: date, rules: RuleBook | None = None) -> Ffata:
    """The one test of FFATA reportability, for the schedule, the pages and the audit
    trail: a subaward at or above the `ffata_subaward_threshold` in force on its date
    signed is reported by the end of the next month; below it, it is exempt. `rules`
    saves a loop from reading the threshold again for each subaward."""
    threshold = (rules or RuleBook([THRESHOLD])).value(THRESHOLD, on=signed_on)
    return Ffata(threshold, end_of_next_month(signed_on) if amount >= threshold else None)


def ffata_by_subaward(subawards: list[Subaward]) -> dict[int, Ffata]:
    rules = RuleBook([THRESHOLD])
    return {s.pk: ffata_of(s.amount, s.signed_on, rules) for s in subawards}


def reportable_subaward_months(awards: list[Award]) -> list[Event]:
    """One event per award and month with a reportable subaward (ffata_of); the event's
    day is the month's first such subaward."""
    rules = RuleBook([THRESHOLD])
    first: dict[tuple[int, date], date] = {}
    rows = (
        Subaward.objects.filter(award__in=awards)
        .values_list("award_id", "signed_on", "amount")
        .order_by("award_id", "signed_on")
    )
    for award_id, signed_on, amount in rows:
        if ffata_of(amount, signed_on, rules).reportable:
            first.setdefault((award_id, end_of_month(signed_on)), signed_on)
    return [
        Event(award_id, month_end.replace(day=1), month_end, day)
        for (award_id, month_end), day in sorted(first.items())
    ]


def due_end_of_next_month(event: Event, rules) -> date:
    return end_of_next_month(event.occurred_on)


FFATA_REPORT = register(
    ReportType(
        key="ffata",
        label="FFATA subaward report",
        short_label="FFATA report",
        model=FfataReport,
        schedule=EventTriggered(events=reportable_subaward_months, due_on=due_end_of_next_month),
        filers=(Membership.Role.FINANCE_OFFICER,),
        refusal="Only the task force's finance officers file its FFATA subaward reports.",
        holds_funds=True,
        fields=("reported_on", "confirmation"),
    )
)
