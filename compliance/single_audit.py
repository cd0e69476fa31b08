"""Single audits (2 CFR 200.501-.512): a recipient's federal expenditures in each of its
own fiscal years, summed in the database from the ledger; whether an audit is required;
when it is due; and the schedule of expenditures of federal awards (SEFA).

Federal expenditures are the federal share of expenditures on the recipient's awards
dated inside the fiscal year: incurred (accrual basis) or paid (cash basis), as the
recipient keeps its books (SF-425 line 10e, the same ledger totals). The SEFA lists each
award with that figure, so the schedule and the ledger agree by construction.
"""

from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db.models import Case, F, IntegerField, Min, Q, When
from django.db.models.functions import ExtractYear

from budgets.models import LedgerDay
from compliance.models import SingleAudit, SubawardSpending
from grants.models import AccountingBasis, Award, Recipient
from grants.money import CENT, ZERO, MoneySum
from grants.months import add_months
from grants.selectors import RuleBook

THRESHOLD = "single_audit_threshold"  # by the fiscal year's first day
DUE_MONTHS = "single_audit_due_months"
REPORT_DAYS = "single_audit_report_days"
DECISION_MONTHS = "management_decision_months"
RULES = [THRESHOLD, DUE_MONTHS, REPORT_DAYS, DECISION_MONTHS]


def expenditure_column(recipient: Recipient) -> str:
    """The per-day ledger total that is 10e on the recipient's accounting basis."""
    return (
        "federal_paid"
        if recipient.accounting_basis == AccountingBasis.CASH
        else "federal_expenditures"
    )


def fiscal_year_ending(recipient: Recipient, fiscal_year_end: date) -> tuple[date, date]:
    """The first and last day of the recipient's fiscal year ending on `fiscal_year_end`,
    which must be one of its year ends."""
    start, end = recipient.fiscal_year_of(fiscal_year_end)
    if end != fiscal_year_end:
        raise ValueError(f"{fiscal_year_end} is not a fiscal year end of {recipient}.")
    return start, end


def expenditures_by_award(recipient: Recipient, start: date, end: date) -> dict[int, Decimal]:
    """Federal expenditures per award of the recipient from `start` to `end`, one query."""
    column = expenditure_column(recipient)
    rows = (
        LedgerDay.objects.filter(award__recipient=recipient, day__gte=start, day__lte=end)
        .values("award_id")
        .annotate(total=MoneySum(column, default=ZERO))
        .order_by("award_id")
    )
    return {row["award_id"]: row["total"].quantize(CENT) for row in rows}


def _fiscal_year_ends_in():
    """The calendar year in which the fiscal year of a ledger day's recipient ends, in
    SQL: the day's own year up to the recipient's year-end month and day, the next year
    after them (as Recipient.fiscal_year_of)."""
    month = F("award__recipient__fiscal_year_end_month")
    day = F("award__recipient__fiscal_year_end_day")
    year = ExtractYear("day")
    return Case(
        When(Q(day__month__lt=month) | Q(day__month=month, day__day__lte=day), then=year),
        default=year + 1,
        output_field=IntegerField(),
    )


def expenditures_by_fiscal_year(
    recipients: list[Recipient], start: date, end: date
) -> dict[tuple[int, int], Decimal]:
    """Federal expenditures of each recipient from `start` to `end`, per fiscal year of its
    own, on its own accounting basis, keyed by (recipient id, the calendar year the
    fiscal year ends in): one query however many recipients and years."""
    rows = (
        LedgerDay.objects.filter(award__recipient__in=recipients, day__gte=start, day__lte=end)
        .annotate(ends_in=_fiscal_year_ends_in())
        .values("award__recipient", "ends_in")
        .annotate(
            federal_expenditures=MoneySum("federal_expenditures", default=ZERO),
            federal_paid=MoneySum("federal_paid", default=ZERO),
        )
        .order_by()
    )
    column = {recipient.pk: expenditure_column(recipient) for recipient in recipients}
    return {
        (row["award__recipient"], row["ends_in"]): row[column[row["award__recipient"]]].quantize(
            CENT
        )
        for row in rows
    }


def passed_through_by_award(recipient: Recipient, start: date, end: date) -> dict[int, Decimal]:
    """What each award paid its subrecipients in the year: its linked category G
    expenditures dated in the year, less any of them reversed (the reversal undoes it)."""
    rows = (
        SubawardSpending.objects.filter(
            subaward__award__recipient=recipient,
            entry__effective_date__gte=start,
            entry__effective_date__lte=end,
            entry__reversed_by__isnull=True,
        )
        .values("subaward__award_id")
        .annotate(total=MoneySum("entry__amount", default=ZERO))
        .order_by("subaward__award_id")
    )
    return {row["subaward__award_id"]: row["total"].quantize(CENT) for row in rows}


@dataclass(frozen=True)
class AuditYear:
    """One fiscal year of a recipient, as the single-audit rule sees it."""

    recipient: Recipient
    start: date
    end: date
    expenditures: Decimal  # from this program's ledger
    threshold: Decimal
    record: SingleAudit | None
    rules: RuleBook = field(repr=False, compare=False)

    @property
    def required(self) -> bool:
        return self.expenditures >= self.threshold

    @property
    def latest_due_on(self) -> date:
        return add_months(self.end, int(self.rules.value(DUE_MONTHS, on=self.end)))

    @property
    def due_on(self) -> date:
        """The earlier of 30 days after the auditor's report and nine months after the
        year ends (2 CFR 200.512(a)); nine months while the report date is unknown."""
        latest = self.latest_due_on
        if self.record and self.record.auditor_report_on:
            days = int(self.rules.value(REPORT_DAYS, on=self.end))
            return min(latest, self.record.auditor_report_on + timedelta(days=days))
        return latest

    @property
    def decision_due_on(self) -> date | None:
        """The agency's management decisions on the findings are due this many months
        after the FAC accepted the audit (2 CFR 200.521(d))."""
        if not (self.record and self.record.fac_accepted_on):
            return None
        accepted = self.record.fac_accepted_on
        return add_months(accepted, int(self.rules.value(DECISION_MONTHS, on=accepted)))

    @property
    def submitted(self) -> bool:
        return bool(self.record and self.record.fac_accepted_on)

    def overdue(self, today: date) -> bool:
        return self.required and not self.submitted and today > self.due_on


def _audit_years(
    spans: dict[Recipient, list[tuple[date, date]]], rules: RuleBook
) -> dict[int, list[AuditYear]]:
    """The AuditYear of each (start, end) of each recipient in `spans`, by recipient id:
    two queries for all of them (the expenditures and the audits recorded), not three a
    year. `rules` holds RULES."""
    every = [span for years in spans.values() for span in years]
    if not every:
        return {recipient.pk: [] for recipient in spans}
    first, last = min(start for start, _ in every), max(end for _, end in every)
    records = {
        (audit.recipient_id, audit.fiscal_year_end): audit
        for audit in SingleAudit.objects.filter(
            recipient__in=list(spans), fiscal_year_end__gte=first, fiscal_year_end__lte=last
        )
    }
    spent = expenditures_by_fiscal_year(list(spans), first, last)
    return {
        recipient.pk: [
            AuditYear(
                recipient=recipient,
                start=start,
                end=end,
                expenditures=spent.get((recipient.pk, end.year), ZERO),
                threshold=rules.value(THRESHOLD, on=start),
                record=records.get((recipient.pk, end)),
                rules=rules,
            )
            for start, end in years
        ]
        for recipient, years in spans.items()
    }


def audit_year(recipient: Recipient, fiscal_year_end: date) -> AuditYear:
    spans = {recipient: [fiscal_year_ending(recipient, fiscal_year_end)]}
    return _audit_years(spans, RuleBook(RULES))[recipient.pk][0]


def audit_years(recipient: Recipient, *, today: date) -> list[AuditYear]:
    """Every fiscal year of the recipient from its first award's start to the year
    `today` falls in, latest first, leaving out the years that began before the first
    threshold on record: the program's awards go back to 1998, the thresholds held here
    to 2 CFR 200 Subpart F (years beginning on or after 12/26/2014), and an earlier year
    has no threshold to be judged by."""
    return audit_years_by_recipient([recipient], today=today)[recipient.pk]


def audit_years_by_recipient(
    recipients: list[Recipient], *, today: date
) -> dict[int, list[AuditYear]]:
    """audit_years() of each recipient, by recipient id, in four queries for them all."""
    firsts = dict(
        Award.objects.filter(recipient__in=recipients)
        .values("recipient")
        .annotate(first=Min("period_start"))
        .order_by()
        .values_list("recipient", "first")
    )
    rules = RuleBook(RULES)
    in_force = rules.first_in_force(THRESHOLD)
    spans = {}
    for recipient in recipients:
        years = []
        if recipient.pk in firsts and in_force is not None:
            day = recipient.fiscal_year_of(max(firsts[recipient.pk], in_force))[1]
            last = recipient.fiscal_year_of(today)[1]
            while day <= last:
                if recipient.fiscal_year_of(day)[0] >= in_force:
                    years.append(recipient.fiscal_year_of(day))
                day = recipient.fiscal_year_of(day + timedelta(days=1))[1]
        spans[recipient] = years
    return {pk: list(reversed(years)) for pk, years in _audit_years(spans, rules).items()}


@dataclass(frozen=True)
class SefaRow:
    award: Award
    expenditures: Decimal
    passed_through: Decimal


def sefa(recipient: Recipient, fiscal_year_end: date) -> tuple[list[SefaRow], Decimal, Decimal]:
    """The schedule of expenditures of federal awards for one fiscal year (2 CFR
    200.510(b)): each award with federal expenditures in the year, what of it went to
    subrecipients, and the totals."""
    start, end = fiscal_year_ending(recipient, fiscal_year_end)
    spent = expenditures_by_award(recipient, start, end)
    passed = passed_through_by_award(recipient, start, end)
    awards = Award.objects.filter(pk__in=set(spent) | set(passed)).order_by(
        "assistance_listing", "award_number"
    )
    rows = [SefaRow(a, spent.get(a.pk, ZERO), passed.get(a.pk, ZERO)) for a in awards]
    rows = [row for row in rows if row.expenditures or row.passed_through]
    return (
        rows,
        sum((row.expenditures for row in rows), ZERO),
        sum((row.passed_through for row in rows), ZERO),
    )
