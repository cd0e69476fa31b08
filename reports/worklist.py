"""What waits for each person on the home page, by the roles they hold
(docs/home.md).

Every list is read through the scoped selectors, so another task force's work never
shows; sums are made in the database and each list is one query however long it is.
A person holding several roles gets every role's lists.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db.models import Exists, OuterRef

from budgets import selectors as budget_selectors
from budgets.balances import awards_with_excess_cash, period_elapsed_share
from budgets.models import BudgetModification, BudgetVersion, DrawdownRequest
from grants import access
from grants import selectors as grant_selectors
from grants.models import Amendment, Award, Hold, Membership, fiscal_year_of
from reports import report_types
from reports.calendar import report_url
from reports.exports.downloads import DOWNLOADED
from reports.models import ReviewStatus
from reports.selectors import REPORTING_STATUSES, CalendarRow, calendar_for_awards, reports_for_user

# How many of the latest filings and downloads the auditor sees.
LATEST = 10


@dataclass(frozen=True)
class FiledItem:
    """A filed report in a list: which type, and where to read it."""

    report: object
    report_type: report_types.ReportType

    @property
    def url(self) -> str:
        return report_url(
            self.report.award.award_number, self.report_type.key, self.report.period_end
        )

    @property
    def label(self) -> str:
        return f"{self.report_type.label}, period ending {self.report.period_end:%m/%d/%Y}"


@dataclass
class Worklist:
    """The lists on one person's home page; a list is None when none of the person's
    roles has it (an empty list is a role's list with nothing in it)."""

    # Finance officer
    awards: list[Award] | None = None
    reports_due: list[CalendarRow] | None = None
    returned_reports: list[FiledItem] | None = None
    holds: list[Hold] | None = None
    # Grant administrator
    offered: list[Award] | None = None
    # Financial approver
    drawdowns: list[DrawdownRequest] | None = None
    supplements: list[BudgetModification] | None = None
    # Program manager
    budget_changes: list[BudgetModification] | None = None
    amendments: list[Amendment] | None = None
    to_review: list[FiledItem] | None = None
    late_reports: list[CalendarRow] | None = None
    excess_cash: list[tuple[Award, Decimal]] | None = None
    drafts_without_budget: list[Award] | None = None
    # Auditor
    latest_filings: list[FiledItem] | None = None
    downloads: list | None = None
    counts: list[tuple[str, str, int]] = field(default_factory=list)
    # How many each list holds in all, by anchor: a list may show only its first rows.
    totals: dict[str, int] = field(default_factory=dict)

    def count(self, anchor: str, label: str, items, *, total: int | None = None) -> None:
        """Add a line to the summary at the top: `label` and how many `items` (or
        `total`, when `items` are only the first of them)."""
        self.totals[anchor] = len(items) if total is None else total
        self.counts.append((anchor, label, self.totals[anchor]))


# Rows of a request list the home page shows, oldest first, with each award's money; the
# summary counts them all and the whole list is one link away. Approved drawdowns wait
# there until their payment is recorded, so the list can run to a thousand rows.
SHOWN_ROWS = 25


def _oldest_with_money(requests, *, today: date) -> tuple[list, int]:
    """The first SHOWN_ROWS of `requests`, with their awards' money, and how many in all."""
    rows = budget_selectors.set_award_money(list(requests[:SHOWN_ROWS]), today=today)
    return rows, len(rows) if len(rows) < SHOWN_ROWS else requests.count()


def _filed(user, *, status=None, limit=None) -> list[FiledItem]:
    """Reports of every type the person may read (one query per type), latest first."""
    items = []
    for report_type in report_types.all_types():
        reports = reports_for_user(user=user, report_type=report_type)
        if status is not None:
            reports = reports.filter(status=status)
        reports = reports.order_by("-submitted_at", "-pk")
        items += [FiledItem(r, report_type) for r in (reports[:limit] if limit else reports)]
    items.sort(key=lambda item: item.report.submitted_at, reverse=True)
    return items[:limit] if limit else items


def _due_next(rows: list[CalendarRow], today: date) -> list[CalendarRow]:
    """Reports still to file: every one whose period has ended (open for filing, late
    or returned), and the next upcoming one of each kind on each award."""
    found, upcoming = [], set()
    for row in sorted(rows, key=lambda r: (r.due.due_on, r.due.period_end)):
        if not row.needs_action:
            continue
        if row.due.period_end < today or row.filed is not None:
            found.append(row)
        elif (row.due.award.pk, row.due.kind) not in upcoming:
            upcoming.add((row.due.award.pk, row.due.kind))
            found.append(row)
    return found


def _finance_officer(work: Worklist, user, task_forces: set[int], today: date) -> None:
    awards = grant_selectors.award_list_for_user(user=user).filter(
        task_force__in=task_forces, status__in=REPORTING_STATUSES
    )
    work.awards = budget_selectors.set_award_money(
        list(awards.order_by("period_end", "award_number")),
        today=today,
        award_id=lambda award: award.pk,
    )
    for award in work.awards:
        award.elapsed_share = period_elapsed_share(award, as_of=today)
        award.spent_share = (
            (award.federal_spent * 100 / award.federal_amount).quantize(Decimal("0.1"))
            if award.federal_amount
            else None
        )
    work.reports_due = _due_next(calendar_for_awards(awards, today=today), today)
    work.returned_reports = [
        item
        for item in _filed(user, status=ReviewStatus.RETURNED)
        if item.report.award.task_force_id in task_forces
    ]
    work.holds = list(
        Hold.objects.filter(award__in=awards, lifted_at__isnull=True)
        .select_related("award")
        .order_by("award__award_number", "pk")
    )
    work.count("your-awards", "Active awards", work.awards)
    work.count("reports-due", "Reports to file", work.reports_due)
    work.count("returned", "Reports returned for correction", work.returned_reports)
    work.count("holds", "Holds on your awards", work.holds)


def _grant_administrator(work: Worklist, user, task_forces: set[int]) -> None:
    work.offered = list(
        grant_selectors.award_list_for_user(user=user)
        .filter(task_force__in=task_forces, status=Award.Status.OFFERED)
        .order_by("award_number")
    )
    work.count("offered", "Awards offered, waiting for acceptance", work.offered)


def _financial_approver(work: Worklist, user, today: date) -> None:
    work.drawdowns, drawdowns = _oldest_with_money(
        budget_selectors.drawdown_list_for_user(user=user)
        .filter(status__in=DrawdownRequest.OPEN)
        .order_by("requested_at", "pk"),
        today=today,
    )
    work.supplements, supplements = _oldest_with_money(
        budget_selectors.budget_change_list_for_user(user=user)
        .filter(status=BudgetModification.Status.REQUESTED, supplement_amount__isnull=False)
        .exclude(requested_by=user)
        .order_by("requested_at", "pk"),
        today=today,
    )
    work.count("drawdowns", "Drawdown requests waiting", work.drawdowns, total=drawdowns)
    work.count("supplements", "Supplements waiting", work.supplements, total=supplements)


def _program_manager(work: Worklist, user, today: date) -> None:
    # Nobody decides their own request (the services refuse it), so it does not wait
    # for them.
    work.budget_changes, budget_changes = _oldest_with_money(
        budget_selectors.budget_change_list_for_user(user=user)
        .filter(status=BudgetModification.Status.REQUESTED)
        .exclude(requested_by=user)
        .order_by("requested_at", "pk"),
        today=today,
    )
    # Amendments carrying a budget change are decided with it, in the list above.
    work.amendments = list(
        grant_selectors.amendment_list_for_user(user=user)
        .filter(status=Amendment.Status.REQUESTED, budget_modification__isnull=True)
        .exclude(requested_by=user)
        .order_by("requested_on", "pk")
    )
    work.to_review = _filed(user, status=ReviewStatus.SUBMITTED)
    work.to_review.reverse()  # oldest first: the longest waiting
    awards = grant_selectors.award_list_for_user(user=user).filter(status__in=REPORTING_STATUSES)
    work.late_reports = sorted(
        (
            row
            for row in calendar_for_awards(awards, today=today)
            if row.needs_action and row.due.due_on < today
        ),
        key=lambda row: (row.due.due_on, row.due.award.award_number),
    )
    work.excess_cash = awards_with_excess_cash(
        grant_selectors.award_list_for_user(user=user), today=today
    )
    approved = BudgetVersion.objects.filter(
        award=OuterRef("pk"), status=BudgetVersion.Status.APPROVED
    )
    work.drafts_without_budget = list(
        grant_selectors.award_list_for_user(user=user)
        .filter(status=Award.Status.DRAFT)
        .exclude(Exists(approved))
        .order_by("fiscal_year", "award_number")
    )
    work.count(
        "budget-changes", "Budget changes to decide", work.budget_changes, total=budget_changes
    )
    work.count("amendments", "Amendments to decide", work.amendments)
    work.count("to-review", "Reports to review", work.to_review)
    work.count("late-reports", "Late reports", work.late_reports)
    work.count("excess-cash-list", "Awards holding excess cash", work.excess_cash)
    work.count("drafts", "Draft awards without a budget", work.drafts_without_budget)


def _auditor(work: Worklist, user) -> None:
    work.latest_filings = _filed(user, limit=LATEST)
    work.downloads = list(
        grant_selectors.audit_events_for_user(user=user)
        .filter(actor=user, action=DOWNLOADED)
        .order_by("-occurred_at", "-pk")[:LATEST]
    )
    work.count("latest-filings", "Latest filings", work.latest_filings)


def worklist_for_user(*, user, today: date) -> Worklist:
    work = Worklist()
    officer = access.task_force_ids(user, roles=(Membership.Role.FINANCE_OFFICER,))
    if officer:
        _finance_officer(work, user, officer, today)
    administrator = access.task_force_ids(user, roles=(Membership.Role.GRANT_ADMINISTRATOR,))
    if administrator:
        _grant_administrator(work, user, administrator)
    if access.is_financial_approver(user):
        _financial_approver(work, user, today)
    if access.is_program_manager(user):
        _program_manager(work, user, today)
    if access.is_auditor(user):
        _auditor(work, user)
    return work


def default_fiscal_year(*, user, years: list[int], today: date) -> int:
    """The fiscal year the home page opens on: where the person's work is. Task-force
    staff land on the latest year of an award they report on (an active award, not next
    year's offered one); everyone else on the current fiscal year."""
    if not access.sees_every_task_force(user):
        working = (
            grant_selectors.award_list_for_user(user=user)
            .filter(status__in=REPORTING_STATUSES)
            .order_by("-fiscal_year")
            .values_list("fiscal_year", flat=True)
            .first()
        )
        if working is not None:
            return working
    current = fiscal_year_of(today)
    return current if current in years or not years else years[0]
