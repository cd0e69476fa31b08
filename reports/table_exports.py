"""The XLSX downloads of the program's, the budgets' and the reporting pages' tables,
declared in reports.exports.tables (which says what every declaration means).

Each reads through the same selector and filters as its page, so the file holds exactly
the rows the person could see. The awards, appropriations and drawdowns sheets are the
auditor workbook's own.
"""

from django.utils import timezone

from accounts.access_review import NONE, access_rows
from budgets.filters import BudgetChangeFilter, DrawdownFilter, LedgerFilter
from budgets.selectors import budget_change_list_for_user, drawdown_list_for_user, ledger_for_award
from grants import access, selectors
from grants.amendment_tables import amendment_change
from grants.filters import AmendmentFilter, AppropriationFilter, AwardFilter, TaskForceFilter
from grants.lookups import award_or_404
from reports.exports.tables import Shown, TableExport, register
from reports.exports.workbooks import (
    LEDGER_COLUMNS,
    appropriation_sheet,
    award_sheet,
    drawdown_sheet,
    ledger_rows,
    wall_clock,
)
from reports.exports.xlsx import Column, Sheet
from reports.models import MEASURES
from reports.reminder_views import reminders_shown, report_link
from reports.views import calendar_rows, measures_shown

register(
    TableExport(
        name="awards",
        title="Awards",
        select=lambda shown: selectors.award_list_for_user(user=shown.user),
        filterset=AwardFilter,
        filterset_options=lambda shown: {
            "task_forces": selectors.task_force_list_for_user(user=shown.user)
        },
        sheet=lambda shown: award_sheet(shown.rows),
    )
)

register(
    TableExport(
        name="appropriations",
        title="Appropriations",
        may_view=access.can_view_program,
        select=lambda shown: selectors.appropriation_list_for_user(user=shown.user),
        filterset=AppropriationFilter,
        sheet=lambda shown: appropriation_sheet(shown.rows),
    )
)

register(
    TableExport(
        name="task_forces",
        title="Task forces",
        select=lambda shown: selectors.task_force_list_for_user(user=shown.user),
        filterset=TaskForceFilter,
        order_by=("state", "name"),
        columns=[
            Column("State", width=8),
            Column("Task force", width=50),
            Column("Lead organization", width=44),
            Column("UEI", width=14),
            Column("EIN", width=12),
            Column("Awarded, all years", "money", 18, total=True),
        ],
        row=lambda t: (
            t.state,
            t.name,
            t.lead_organization.legal_name,
            t.lead_organization.uei,
            t.lead_organization.ein,
            t.awarded_total,
        ),
    )
)

register(
    TableExport(
        name="drawdowns",
        title="Drawdowns",
        select=lambda shown: drawdown_list_for_user(user=shown.user),
        filterset=DrawdownFilter,
        sheet=lambda shown: drawdown_sheet(shown.rows),
    )
)

# --- An award's ledger -----------------------------------------------------------------

LEDGER_EXPORT_COLUMNS = [
    Column("Entry", "int", 9),
    Column("Date", "date", 12),
    Column("Kind", width=18),
    Column("Reverses entry", "int", 10),
    Column("Category", width=24),
    Column("Share", width=12),
    Column("Amount", "money", 15, total=True),
    Column("Cash on hand after", "money", 16),
    Column("Federal spent after", "money", 16),
    Column("Memo", width=44),
    Column("Recorded by", width=16),
    Column("Posted at", "date", 18),
]


def _ledger_sheet(shown: Shown) -> Sheet:
    # The filters choose the rows; the running balances are those of the whole ledger,
    # carried along by ledger_rows in one pass rather than by a subquery per row.
    chosen = set(shown.rows.values_list("pk", flat=True))
    headers = [column.header for column in LEDGER_COLUMNS]
    keep = [headers.index(column.header) for column in LEDGER_EXPORT_COLUMNS]
    entry = headers.index("Entry")
    ledger = ledger_for_award(award=shown.of)
    return Sheet(
        "Ledger",
        LEDGER_EXPORT_COLUMNS,
        (tuple(row[i] for i in keep) for row in ledger_rows(ledger) if row[entry] in chosen),
    )


register(
    TableExport(
        name="ledger",
        title=lambda shown: f"Ledger of award {shown.of.award_number}",
        filename=lambda shown: f"ledger-{shown.of.award_number}",
        of=award_or_404,
        select=lambda shown: ledger_for_award(award=shown.of),
        filterset=LedgerFilter,
        sheet=_ledger_sheet,
        about=lambda shown: {"Award": shown.of.award_number},
        task_force=lambda shown: shown.of.task_force,
    )
)

# --- Budget changes and amendments -----------------------------------------------------

register(
    TableExport(
        name="budget_changes",
        title="Budget modifications and supplements",
        sheet_title="Budget changes",
        select=lambda shown: budget_change_list_for_user(user=shown.user),
        filterset=BudgetChangeFilter,
        order_by=("requested_on", "pk"),
        columns=[
            Column("Request", "int", 9),
            Column("Award number", width=26),
            Column("Task force", width=36),
            Column("Kind", width=20),
            Column("Requested on", "date", 12),
            Column("Requested by", width=16),
            Column("Award amount", "money", 16),
            Column("Supplement", "money", 14),
            Column("Measured against version", "int", 10),
            Column("Cumulative transfer", "money", 16),
            Column("Share of award (%)", width=12),
            Column("Limit", "money", 14),
            Column("New categories", width=12),
            Column("Scope change", width=10),
            Column("Needs approval", width=10),
            Column("Status", width=20),
            Column("Decided by", width=16),
            Column("Decided on", "date", 12),
            Column("Resulting version", "int", 10),
            Column("Justification", width=40),
            Column("Decision note", width=40),
        ],
        row=lambda m: (
            m.pk,
            m.award.award_number,
            m.award.task_force.name,
            m.kind_label,
            m.requested_on,
            m.requested_by.username,
            m.award_amount,
            m.supplement_amount,
            m.base.number,
            m.cumulative_transfer,
            f"{m.transfer_share * 100:.2f}",
            m.transfer_limit,
            m.new_categories,
            "Yes" if m.scope_change else "No",
            "Yes" if m.needs_approval else "No",
            m.get_status_display(),
            m.decided_by.username if m.decided_by else "",
            m.decided_on,
            m.result.number if m.result else None,
            m.justification,
            m.decision_note,
        ),
    )
)

register(
    TableExport(
        name="amendments",
        title="Amendments",
        select=lambda shown: selectors.amendment_list_for_user(user=shown.user),
        filterset=AmendmentFilter,
        order_by=("award__award_number", "number"),
        columns=[
            Column("Award number", width=26),
            Column("Task force", width=36),
            Column("No.", "int", 6),
            Column("Type", width=20),
            Column("Status", width=12),
            Column("Change", width=40),
            Column("Amount", "money", 14),
            Column("End before", "date", 12),
            Column("End after", "date", 12),
            Column("Requested on", "date", 12),
            Column("Requested by", width=16),
            Column("Decided on", "date", 12),
            Column("Decided by", width=16),
            Column("Effective on", "date", 12),
            Column("Description", width=50),
            Column("Decision note", width=40),
        ],
        row=lambda a: (
            a.award.award_number,
            a.award.task_force.name,
            a.number,
            a.get_kind_display(),
            a.get_status_display(),
            amendment_change(a),
            a.amount,
            a.period_end_before,
            a.period_end_after,
            a.requested_on,
            a.requested_by.username,
            a.decided_on,
            a.decided_by.username if a.decided_by else "",
            a.effective_on,
            a.description,
            a.decision_note,
        ),
    )
)

# --- Reporting ---------------------------------------------------------------------------

register(
    TableExport(
        name="calendar",
        title="Reports due",
        select=lambda shown: calendar_rows(
            user=shown.user, params=shown.params, today=timezone.localdate()
        )[0],
        filename="reports-due",
        columns=[
            Column("Award number", width=26),
            Column("Task force", width=36),
            Column("Report", width=44),
            Column("Period end", "date", 12),
            Column("Due on", "date", 12),
            Column("Status", width=16),
            Column("Days late", "int", 9),
        ],
        row=lambda r: (
            r.due.award.award_number,
            r.due.award.task_force.name,
            r.due.label,
            r.due.period_end,
            r.due.due_on,
            r.state,
            r.days_late,
        ),
    )
)

register(
    TableExport(
        name="measures",
        title="ICAC performance measures",
        sheet_title="Performance measures",
        filename="performance-measures",
        select=lambda shown: measures_shown(user=shown.user, params=shown.params).rows,
        columns=[
            Column("Task force", width=36),
            Column("Award number", width=26),
            Column("Period end", "date", 12),
            Column("Status", width=12),
            *(Column(label, "int", 14) for _, label in MEASURES),
        ],
        row=lambda r: (
            r.award.task_force.name,
            r.award.award_number,
            r.period_end,
            r.get_status_display(),
            *(getattr(r, name) for name, _ in MEASURES),
        ),
    )
)

register(
    TableExport(
        name="reminders",
        title="Reminders sent",
        may_view=access.can_view_program,
        select=lambda shown: reminders_shown(user=shown.user, params=shown.params)[0],
        columns=[
            Column("Sent on", "date", 12),
            Column("Award number", width=26),
            Column("Task force", width=36),
            Column("Report", width=44),
            Column("Stage", width=16),
            Column("Sent to", width=50),
            Column("Subject", width=60),
        ],
        row=lambda r: (
            r.sent_on,
            r.award.award_number,
            r.award.task_force.name,
            report_link(r)[0],
            r.get_stage_display(),
            r.recipients,
            r.subject,
        ),
    )
)

register(
    TableExport(
        name="access_review",
        title="Access review of every account",
        sheet_title="Access review",
        may_view=access.can_review_access,
        select=lambda shown: access_rows(),
        about=lambda shown: {"Scope": "every account"},
        columns=[
            Column("Username", width=18),
            Column("Name", width=24),
            Column("Email", width=30),
            Column("Status", width=10),
            Column("Program-office roles", width=30),
            Column("Task forces", width=45),
            Column("Second factors", width=18),
            Column("Last sign-in", "datetime", 18),
            Column("Locked out", width=11),
        ],
        row=lambda r: (
            r.username,
            r.name,
            r.email,
            r.status,
            "; ".join(r.roles) or NONE,
            "; ".join(r.task_forces) or NONE,
            r.second_factors,
            wall_clock(r.last_sign_in) or "Never",
            "Yes" if r.locked else "No",
        ),
    )
)
