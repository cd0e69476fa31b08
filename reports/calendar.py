"""The reporting calendar, built from an award's terms and the dated rule values.

SF-425: one for every calendar quarter of the period of performance, due a set number of
days after the quarter ends (30: Jan 30, Apr 30, Jul 30, Oct 30); the last quarter is
covered by the final report, due a set number of days after the period ends (120).
Progress reports: the same shape with half-years ending June 30 and December 31.
An extension moves the award's end date, and the calendar follows.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from django.urls import reverse

from grants.models import Award
from grants.selectors import RuleBook

SF425 = "sf425"
PROGRESS = "progress"
LABELS = {SF425: "SF-425 financial report", PROGRESS: "Progress report"}


def _in_sentence(text: str) -> str:
    """Lower-case the first letter, unless it starts an abbreviation ("SF-425")."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def report_url(award_number: str, kind: str, period_end: date) -> str:
    """The page where a report is filed and read."""
    view = "reports:sf425_detail" if kind == SF425 else "reports:progress_detail"
    return reverse(view, args=[award_number, period_end.isoformat()])


@dataclass(frozen=True)
class DueReport:
    award: Award
    kind: str
    period_start: date
    period_end: date
    due_on: date
    is_final: bool

    @property
    def key(self) -> str:
        """Names the report on holds and reminders: "sf425:2025-03-31"."""
        return f"{self.kind}:{self.period_end.isoformat()}"

    @property
    def label(self) -> str:
        name = LABELS[self.kind]
        if self.is_final:
            name = "Final " + _in_sentence(name)
        return f"{name}, period ending {self.period_end:%m/%d/%Y}"

    @property
    def label_in_sentence(self) -> str:
        return _in_sentence(self.label)

    def get_absolute_url(self) -> str:
        return report_url(self.award.award_number, self.kind, self.period_end)


def _period_ends(start: date, end: date, months: tuple[int, ...]):
    """Each date in [start, end) that ends one of the given months' periods."""
    year = start.year
    while True:
        for month in months:
            day = date(year, month, 31 if month in (3, 12) else 30)
            if day < start:
                continue
            if day >= end:
                return
            yield day
        year += 1


RULE_KEYS = ["final_report_days", "ffr_due_days", "progress_report_due_days"]


def reporting_calendar(award: Award, rules: RuleBook | None = None) -> list[DueReport]:
    """Every report the award owes, in due-date order (SF-425 before progress on a tie).

    Pass a RuleBook when building calendars for many awards.
    """
    rules = rules or RuleBook(RULE_KEYS)
    final_days = int(rules.value("final_report_days", on=award.period_end))
    final_due = award.period_end + timedelta(days=final_days)
    reports = []
    for kind, months, offset_key in (
        (SF425, (3, 6, 9, 12), "ffr_due_days"),
        (PROGRESS, (6, 12), "progress_report_due_days"),
    ):
        previous = award.period_start
        for period_end in _period_ends(award.period_start, award.period_end, months):
            days = int(rules.value(offset_key, on=period_end))
            reports.append(
                DueReport(
                    award, kind, previous, period_end, period_end + timedelta(days=days), False
                )
            )
            previous = period_end + timedelta(days=1)
        reports.append(DueReport(award, kind, previous, award.period_end, final_due, True))
    return sorted(reports, key=lambda r: (r.due_on, r.kind != SF425))


def find_due(award: Award, kind: str, period_end: date) -> DueReport | None:
    return next(
        (r for r in reporting_calendar(award) if r.kind == kind and r.period_end == period_end),
        None,
    )
