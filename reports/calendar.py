"""The reporting calendar: every report an award owes, built from the report types'
schedules (reports.report_types), the award's terms and the dated rule values.
An extension moves the award's end date, and the calendar follows.
"""

from dataclasses import dataclass
from datetime import date

from grants.models import Award
from grants.selectors import RuleBook
from reports import report_types


def _in_sentence(text: str) -> str:
    """Lower-case the first letter, unless it starts an abbreviation ("SF-425")."""
    return text if text[:2].isupper() else text[:1].lower() + text[1:]


def report_url(award_number: str, kind: str, period_end: date) -> str:
    """The page where a report is filed and read."""
    return report_types.get(kind).url(award_number, period_end)


@dataclass(frozen=True)
class DueReport:
    award: Award
    kind: str
    period_start: date
    period_end: date
    due_on: date
    is_final: bool

    @property
    def report_type(self) -> report_types.ReportType:
        return report_types.get(self.kind)

    @property
    def key(self) -> str:
        """Names the report on holds and reminders: "sf425:2025-03-31"."""
        return f"{self.kind}:{self.period_end.isoformat()}"

    @property
    def label(self) -> str:
        name = self.report_type.label
        if self.is_final:
            name = "Final " + _in_sentence(name)
        return f"{name}, period ending {self.period_end:%m/%d/%Y}"

    @property
    def label_in_sentence(self) -> str:
        return _in_sentence(self.label)

    def get_absolute_url(self) -> str:
        return report_url(self.award.award_number, self.kind, self.period_end)


def reporting_calendars(
    awards: list[Award], rules: RuleBook | None = None
) -> list[list[DueReport]]:
    """Every report each award owes, in due-date order (on a tie, in the order the report
    types are declared), one list per award in the order given. Each schedule reads all the
    awards at once, so many awards cost no more queries than one."""
    rules = rules or RuleBook(report_types.rule_keys())
    owed: dict[int, list[DueReport]] = {id(award): [] for award in awards}
    for report_type in report_types.all_types():
        for p in report_type.schedule.periods(awards, rules):
            owed[id(p.award)].append(
                DueReport(
                    p.award, report_type.key, p.period_start, p.period_end, p.due_on, p.is_final
                )
            )
    return [
        sorted(owed[id(award)], key=lambda r: (r.due_on, report_types.position(r.kind)))
        for award in awards
    ]


def reporting_calendar(award: Award, rules: RuleBook | None = None) -> list[DueReport]:
    """Every report the award owes, in due-date order.

    Pass a RuleBook when building calendars for many awards.
    """
    return reporting_calendars([award], rules)[0]


def find_due(award: Award, kind: str, period_end: date) -> DueReport | None:
    return next(
        (r for r in reporting_calendar(award) if r.kind == kind and r.period_end == period_end),
        None,
    )
