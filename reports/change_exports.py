"""XLSX downloads of the budget-change and amendment lists, with the filters on screen,
through the same selectors and filters as the pages (see export_views)."""

from django.contrib.auth.decorators import login_required

from budgets.filters import BudgetChangeFilter
from budgets.selectors import budget_change_list_for_user
from grants import selectors
from grants.amendment_tables import amendment_change
from grants.filters import AmendmentFilter
from reports.export_views import xlsx_download
from reports.exports.xlsx import Column, Sheet


@login_required
def budget_changes_xlsx(request):
    filterset = BudgetChangeFilter(
        request.GET, queryset=budget_change_list_for_user(user=request.user)
    )
    sheet = Sheet(
        "Budget changes",
        [
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
        (
            (
                m.pk,
                m.award.award_number,
                m.award.task_force.name,
                "Supplement" if m.is_supplement else "Budget modification",
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
            )
            for m in filterset.qs.order_by("requested_on", "pk")
        ),
    )
    return xlsx_download(
        request,
        sheet,
        name="budget_changes",
        filename="budget-changes",
        title="Budget modifications and supplements",
    )


@login_required
def amendments_xlsx(request):
    filterset = AmendmentFilter(
        request.GET, queryset=selectors.amendment_list_for_user(user=request.user)
    )
    sheet = Sheet(
        "Amendments",
        [
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
        (
            (
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
            )
            for a in filterset.qs.order_by("award__award_number", "number")
        ),
    )
    return xlsx_download(
        request, sheet, name="amendments", filename="amendments", title="Amendments"
    )
