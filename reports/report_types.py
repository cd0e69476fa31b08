"""Every type of report an award owes, declared once.

A declaration says what the rest of the application reads about a report type: its key
and name, the model that stores it, when it falls due, who files it, whether lateness
holds the award's funds, its page, its form and its PDF. The reporting calendar, the due
list, reminders, delinquency holds, the calendar feed, evidence packs and PDF downloads
all read this registry, so none of them names a report type. docs/adding-a-report-type.md
lists what a new type touches.

A report falls due on one of two schedules:
- `Periodic`: one report per period of the period of performance, due a set number of
  days after the period ends; the last period is covered by the final report.
- `EventTriggered`: one report each time something happens on an award (a subaward is
  made, an auditor's report arrives), due by a date computed from the event.
"""

from calendar import monthrange
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.module_loading import import_string

from grants import access
from grants.models import Award, Membership
from grants.selectors import RuleBook
from reports.forms import ProgressForm, SF425Form, report_form
from reports.models import FiledReport, FinancialReport, ProgressReport, ReviewStatus


@dataclass(frozen=True)
class Period:
    """One report a schedule says an award owes."""

    award: Award
    period_start: date
    period_end: date
    due_on: date
    is_final: bool = False


@dataclass(frozen=True)
class Periodic:
    """A report for each period of `months` months, periods aligned on the calendar year
    (3: quarters ending March 31, June 30, September 30 and December 31; 6: half-years
    ending June 30 and December 31), due the number of days the dated rule `due_days`
    gives after the period ends. The period in which the award ends is the final report's,
    due `final_due_days` days after the award ends; an extension moves the end date and
    the schedule follows."""

    months: int
    due_days: str
    final_due_days: str = "final_report_days"

    def __post_init__(self):
        if self.months not in (1, 2, 3, 4, 6, 12):
            raise ValueError("A period must divide the year: 1, 2, 3, 4, 6 or 12 months.")

    @property
    def rule_keys(self) -> tuple[str, ...]:
        return (self.due_days, self.final_due_days)

    def period_ends(self, start: date, end: date) -> Iterator[date]:
        """Each date in [start, end) that ends a period."""
        year = start.year
        while True:
            for month in range(self.months, 13, self.months):
                day = date(year, month, monthrange(year, month)[1])
                if day < start:
                    continue
                if day >= end:
                    return
                yield day
            year += 1

    def periods(self, awards: list[Award], rules: RuleBook) -> Iterator[Period]:
        for award in awards:
            previous = award.period_start
            for period_end in self.period_ends(award.period_start, award.period_end):
                days = int(rules.value(self.due_days, on=period_end))
                yield Period(award, previous, period_end, period_end + timedelta(days=days))
                previous = period_end + timedelta(days=1)
            final_days = int(rules.value(self.final_due_days, on=award.period_end))
            yield Period(
                award,
                previous,
                award.period_end,
                award.period_end + timedelta(days=final_days),
                True,
            )


@dataclass(frozen=True)
class Event:
    """Something that happened on an award and must be reported. `period_end` names the
    report (with the type's key, on holds and reminders), so it is unique per award: an
    event that can happen twice in a day reports on a period, such as the month."""

    award_id: int
    period_start: date
    period_end: date
    occurred_on: date


@dataclass(frozen=True)
class EventTriggered:
    """A report owed each time something happens on an award.

    `events(awards)` returns every event of those awards, in one query for all of them;
    `due_on(event, rules)` the date its report is due, reading any dated rules it names in
    `rule_keys` (a subaward report: the end of the month after the subaward; a single
    audit: 30 days after the auditor's report or nine months after the fiscal year ends,
    whichever comes first)."""

    events: Callable[[list[Award]], Iterable[Event]]
    due_on: Callable[[Event, RuleBook], date]
    rule_keys: tuple[str, ...] = ()

    def periods(self, awards: list[Award], rules: RuleBook) -> Iterator[Period]:
        by_pk = {award.pk: award for award in awards if award.pk is not None}
        if not by_pk:
            return
        for event in self.events(list(by_pk.values())):
            yield Period(
                by_pk[event.award_id],
                event.period_start,
                event.period_end,
                self.due_on(event, rules),
            )


# Counts as filed: submitted and awaiting review, or accepted. A returned report still
# needs filing.
FILED = (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED)


@dataclass(frozen=True)
class ReportType:
    """What the application knows about one type of report.

    `fields` are what the filer enters; the shared filing page, its form and its PDF are
    built from them. A type with a page of its own names its URL (`view`, taking the award
    number and the period end), its form and its document builder (a dotted path, read
    when first used: the documents read the calendar, which reads this module)."""

    key: str  # in URLs and in hold and reminder keys ("sf425:2025-03-31"): never change it
    label: str  # "SF-425 financial report"
    short_label: str  # "SF-425", where the period follows
    model: type[FiledReport]
    schedule: Periodic | EventTriggered
    filers: tuple[str, ...]  # the task force roles that file it, and are reminded about it
    refusal: str  # what someone else who tries to file is told
    holds_funds: bool = (
        True  # a late report holds the funds (docs/rules/reporting-deadlines.md#delinquency-holds)
    )
    fields: tuple[str, ...] = ()
    view: str = ""  # URL name of the type's own page; blank: the shared filing page
    form: type[forms.Form] | None = None  # blank: a form of `fields`
    document: str = ""  # dotted path; blank: a document of `fields`
    # document(report, *, generated_by) -> ExportFile: the PDF download and the pack entry

    @property
    def rule_keys(self) -> tuple[str, ...]:
        return self.schedule.rule_keys

    def may_file(self, user, award: Award) -> bool:
        return award.task_force_id in access.task_force_ids(user, roles=self.filers)

    def url(self, award_number: str, period_end: date) -> str:
        """The page where one report of this type is filed and read."""
        if self.view:
            return reverse(self.view, args=[award_number, period_end.isoformat()])
        return reverse(
            "reports:report_detail", args=[award_number, self.key, period_end.isoformat()]
        )

    def pdf_url(self, award_number: str, period_end: date) -> str:
        return reverse("reports:report_pdf", args=[award_number, self.key, period_end.isoformat()])

    def html_url(self, award_number: str, period_end: date) -> str:
        """The filed report's document read as a page."""
        return reverse("reports:report_html", args=[award_number, self.key, period_end.isoformat()])

    def form_class(self) -> type[forms.Form]:
        return self.form or report_form(self)

    def build_document(self, report: FiledReport, *, generated_by):
        if self.document:
            return import_string(self.document)(report, generated_by=generated_by)
        from reports.exports.report_pdf import report_document  # it imports this module

        return report_document(self, report, generated_by=generated_by)

    def filed_reports(self, awards: QuerySet[Award]) -> QuerySet:
        """The reports of `awards` that count as filed, with what their documents read."""
        return (
            self.model.objects.filter(award__in=awards.values("pk"), status__in=FILED)
            .select_related(
                "award", "award__recipient", "award__task_force", "submitted_by", "reviewed_by"
            )
            .order_by("award__award_number", "period_end")
        )


REGISTRY: dict[str, ReportType] = {}


def register(report_type: ReportType) -> ReportType:
    if report_type.key in REGISTRY:
        raise ValueError(f"A report type {report_type.key!r} is already declared.")
    if ":" in report_type.key:
        raise ValueError(
            "A report type's key cannot hold ':' (it separates the key from the period)."
        )
    REGISTRY[report_type.key] = report_type
    return report_type


def all_types() -> list[ReportType]:
    """In the order declared, which is the order of reports due on the same day."""
    return list(REGISTRY.values())


def position(key: str) -> int:
    """Where a type comes in all_types(): orders reports due on the same day."""
    return list(REGISTRY).index(key)


def get(key: str) -> ReportType | None:
    return REGISTRY.get(key)


def for_model(model: type[FiledReport]) -> ReportType:
    return next(t for t in REGISTRY.values() if t.model is model)


def rule_keys() -> list[str]:
    """The dated rules every schedule reads, to load them at once (grants.selectors.RuleBook)."""
    return sorted({key for t in REGISTRY.values() for key in t.rule_keys})


# --- The report types ----------------------------------------------------------------
# SF-425s are due 30 days after the quarter (docs/rules/reporting-deadlines.md#quarterly-sf-425),
# progress reports 30 days after the half-year (#semi-annual-progress-reports), final ones
# 120 days after the award ends (#final-reports); either one late holds the award's funds
# (#delinquency-holds). The numbers are dated rules.

FINANCIAL_REPORT = register(
    ReportType(
        key="sf425",
        label="SF-425 financial report",
        short_label="SF-425",
        model=FinancialReport,
        schedule=Periodic(months=3, due_days="ffr_due_days"),
        filers=(Membership.Role.FINANCE_OFFICER,),
        refusal="Only the task force's finance officers file the SF-425.",
        view="reports:sf425_detail",
        form=SF425Form,
        document="reports.exports.pdf.financial_report_document",
    )
)

PROGRESS_REPORT = register(
    ReportType(
        key="progress",
        label="Progress report",
        short_label="Progress report",
        model=ProgressReport,
        schedule=Periodic(months=6, due_days="progress_report_due_days"),
        filers=(Membership.Role.FINANCE_OFFICER, Membership.Role.GRANT_ADMINISTRATOR),
        refusal="Only the task force's staff file its progress reports.",
        view="reports:progress_detail",
        form=ProgressForm,
        document="reports.exports.progress_pdf.progress_report_document",
    )
)
