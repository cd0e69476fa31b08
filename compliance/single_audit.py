"""Single audits (2 CFR 200.501-.512): a recipient's federal expenditures in each of its
own fiscal years, summed in the database from the ledger; whether an audit is required;
when it is due; and the schedule of expenditures of federal awards (SEFA).

Federal expenditures are the federal share of expenditures on the recipient's awards
dated inside the fiscal year: incurred (accrual basis) or paid (cash basis), as the
recipient keeps its books (SF-425 line 10e, the same ledger totals). The SEFA lists each
award with that figure, so the schedule and the ledger agree by construction.
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from budgets.models import LedgerDay
from compliance.models import SingleAudit, SubawardSpending
from grants.models import AccountingBasis, Award, Recipient
from grants.money import CENT, ZERO, MoneySum
from grants.months import add_months
from grants.selectors import rule_first_in_force, rule_value

THRESHOLD = "single_audit_threshold"  # by the fiscal year's first day
DUE_MONTHS = "single_audit_due_months"
REPORT_DAYS = "single_audit_report_days"
DECISION_MONTHS = "management_decision_months"


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


def federal_expenditures(recipient: Recipient, start: date, end: date) -> Decimal:
    column = expenditure_column(recipient)
    total = LedgerDay.objects.filter(
        award__recipient=recipient, day__gte=start, day__lte=end
    ).aggregate(total=MoneySum(column, default=ZERO))["total"]
    return total.quantize(CENT)


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

    @property
    def required(self) -> bool:
        return self.expenditures >= self.threshold

    @property
    def latest_due_on(self) -> date:
        return add_months(self.end, int(rule_value(DUE_MONTHS, on=self.end)))

    @property
    def due_on(self) -> date:
        """The earlier of 30 days after the auditor's report and nine months after the
        year ends (2 CFR 200.512(a)); nine months while the report date is unknown."""
        latest = self.latest_due_on
        if self.record and self.record.auditor_report_on:
            days = int(rule_value(REPORT_DAYS, on=self.end))
            return min(latest, self.record.auditor_report_on + timedelta(days=days))
        return latest

    @property
    def decision_due_on(self) -> date | None:
        """The agency's management decisions on the findings are due this many months
        after the FAC accepted the audit (2 CFR 200.521(d))."""
        if not (self.record and self.record.fac_accepted_on):
            return None
        accepted = self.record.fac_accepted_on
        return add_months(accepted, int(rule_value(DECISION_MONTHS, on=accepted)))

    @property
    def submitted(self) -> bool:
        return bool(self.record and self.record.fac_accepted_on)

    def overdue(self, today: date) -> bool:
        return self.required and not self.submitted and today > self.due_on


def audit_year(recipient: Recipient, fiscal_year_end: date) -> AuditYear:
    start, end = fiscal_year_ending(recipient, fiscal_year_end)
    return AuditYear(
        recipient=recipient,
        start=start,
        end=end,
        expenditures=federal_expenditures(recipient, start, end),
        threshold=rule_value(THRESHOLD, on=start),
        record=SingleAudit.objects.filter(recipient=recipient, fiscal_year_end=end).first(),
    )


def audit_years(recipient: Recipient, *, today: date) -> list[AuditYear]:
    """Every fiscal year of the recipient from its first award's start to the year
    `today` falls in, latest first, leaving out the years that began before the first
    threshold on record: the program's awards go back to 1998, the thresholds held here
    to 2 CFR 200 Subpart F (years beginning on or after 12/26/2014), and an earlier year
    has no threshold to be judged by."""
    first = Award.objects.filter(recipient=recipient).order_by("period_start").first()
    in_force = rule_first_in_force(THRESHOLD)
    if first is None or in_force is None:
        return []
    years, day = [], recipient.fiscal_year_of(max(first.period_start, in_force))[1]
    last = recipient.fiscal_year_of(today)[1]
    while day <= last:
        if recipient.fiscal_year_of(day)[0] >= in_force:
            years.append(audit_year(recipient, day))
        day = recipient.fiscal_year_of(day + timedelta(days=1))[1]
    return list(reversed(years))


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
