"""Downloads of the table pages as XLSX, honouring the filters on screen.

Each reads through the same selector and filter as its page, so the file holds exactly
the rows the person could see, and each download is written to the audit trail.
"""

import io
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest
from django.utils import timezone

from budgets.filters import DrawdownFilter, LedgerFilter
from budgets.selectors import drawdown_list_for_user, ledger_for_award
from grants import access, selectors
from grants.audit import audit_record
from grants.filters import AppropriationFilter, AwardFilter, TaskForceFilter
from grants.views import get_or_404
from reports.calendar import SF425, find_due
from reports.exports.pdf import build_sf425_pdf
from reports.exports.xlsx import Column, ExportFile, Sheet, build_workbook
from reports.models import FinancialReport
from reports.sf425 import compute_sf425


def _about(request: HttpRequest, title: str) -> dict[str, str]:
    filters = "; ".join(f"{k}={v}" for k, v in request.GET.items() if v) or "none"
    return {
        "Export": title,
        "Exported by": request.user.get_username(),
        "Exported at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S %Z"),
        "Filters": filters,
        "Scope": "every task force"
        if access.sees_every_task_force(request.user)
        else "your task force",
    }


def _respond(
    request, export: ExportFile, *, name: str, sheets: list[Sheet], task_force=None
) -> FileResponse:
    audit_record(
        actor=request.user,
        action="reports.export.downloaded",
        task_force=task_force,
        data={
            "export": name,
            "filters": {k: v for k, v in request.GET.items() if v},
            "rows": sum(s.row_count for s in sheets),
            "filename": export.filename,
        },
    )
    return FileResponse(
        io.BytesIO(export.content),
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


@login_required
def awards_xlsx(request):
    filterset = AwardFilter(
        request.GET,
        queryset=selectors.award_list_for_user(user=request.user),
        task_forces=selectors.task_force_list_for_user(user=request.user),
    )
    sheet = Sheet(
        "Awards",
        [
            Column("Award number", width=26),
            Column("Fiscal year", "int", 10),
            Column("Task force", width=40),
            Column("Recipient", width=36),
            Column("UEI", width=14),
            Column("Title", width=40),
            Column("Period start", "date", 12),
            Column("Period end", "date", 12),
            Column("Federal amount", "money", 16, total=True),
            Column("Match required", "money", 16, total=True),
            Column("Status", width=12),
        ],
        (
            (
                a.award_number,
                a.fiscal_year,
                a.task_force.name,
                a.recipient.legal_name,
                a.recipient.uei,
                a.title,
                a.period_start,
                a.period_end,
                a.federal_amount,
                a.match_required,
                a.get_status_display(),
            )
            for a in filterset.qs.order_by("-fiscal_year", "award_number").iterator(chunk_size=2000)
        ),
    )
    export = build_workbook(
        filename=f"awards-{_stamp()}.xlsx", sheets=[sheet], about=_about(request, "Awards")
    )
    return _respond(request, export, name="awards", sheets=[sheet])


@login_required
def appropriations_xlsx(request):
    access.require(access.can_view_program(request.user))
    filterset = AppropriationFilter(
        request.GET, queryset=selectors.appropriation_list_for_user(user=request.user)
    )
    sheet = Sheet(
        "Appropriations",
        [
            Column("Fiscal year", "int", 10),
            Column("Name", width=34),
            Column("Public law", width=14),
            Column("Source", width=50),
            Column("Source status", width=22),
            Column("Appropriated", "money", 16, total=True),
            Column("Set aside", "money", 16, total=True),
            Column("Awarded", "money", 16, total=True),
            Column("Not yet awarded", "money", 16, total=True),
        ],
        (
            (
                a.fiscal_year,
                a.name,
                a.public_law,
                a.source,
                a.get_source_status_display(),
                a.amount,
                a.set_aside_total,
                a.awarded_total,
                a.amount - a.set_aside_total - a.awarded_total,
            )
            for a in filterset.qs.order_by("fiscal_year", "pk")
        ),
    )
    export = build_workbook(
        filename=f"appropriations-{_stamp()}.xlsx",
        sheets=[sheet],
        about=_about(request, "Appropriations"),
    )
    return _respond(request, export, name="appropriations", sheets=[sheet])


@login_required
def task_forces_xlsx(request):
    filterset = TaskForceFilter(
        request.GET, queryset=selectors.task_force_list_for_user(user=request.user)
    )
    sheet = Sheet(
        "Task forces",
        [
            Column("State", width=8),
            Column("Task force", width=50),
            Column("Lead organization", width=44),
            Column("UEI", width=14),
            Column("EIN", width=12),
            Column("Awarded, all years", "money", 18, total=True),
        ],
        (
            (
                t.state,
                t.name,
                t.lead_organization.legal_name,
                t.lead_organization.uei,
                t.lead_organization.ein,
                t.awarded_total,
            )
            for t in filterset.qs.order_by("state", "name")
        ),
    )
    export = build_workbook(
        filename=f"task-forces-{_stamp()}.xlsx",
        sheets=[sheet],
        about=_about(request, "Task forces"),
    )
    return _respond(request, export, name="task_forces", sheets=[sheet])


@login_required
def drawdowns_xlsx(request):
    filterset = DrawdownFilter(request.GET, queryset=drawdown_list_for_user(user=request.user))
    sheet = Sheet(
        "Drawdowns",
        [
            Column("Award number", width=26),
            Column("Task force", width=40),
            Column("Amount", "money", 14, total=True),
            Column("Requested on", "date", 12),
            Column("Requested by", width=18),
            Column("Status", width=12),
            Column("Decided by", width=18),
            Column("Decision note", width=40),
            Column("Paid on", "date", 12),
            Column("Memo", width=40),
        ],
        (
            (
                d.award.award_number,
                d.award.task_force.name,
                d.amount,
                d.requested_on,
                d.requested_by.username,
                d.get_status_display(),
                d.decided_by.username if d.decided_by else "",
                d.decision_note,
                d.ledger_entry.effective_date if d.ledger_entry_id else None,
                d.memo,
            )
            for d in filterset.qs.select_related("ledger_entry").order_by("requested_on", "pk")
        ),
    )
    export = build_workbook(
        filename=f"drawdowns-{_stamp()}.xlsx", sheets=[sheet], about=_about(request, "Drawdowns")
    )
    return _respond(request, export, name="drawdowns", sheets=[sheet])


@login_required
def ledger_xlsx(request, award_number: str):
    award = get_or_404(selectors.award_list_for_user(user=request.user), award_number=award_number)
    filterset = LedgerFilter(request.GET, queryset=ledger_for_award(award=award))
    sheet = Sheet(
        "Ledger",
        [
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
        ],
        (
            (
                e.pk,
                e.effective_date,
                e.get_kind_display(),
                e.reverses_id,
                e.get_category_display(),
                e.get_share_display(),
                -e.amount if e.reverses_id else e.amount,
                e.cash_after,
                e.federal_spent_after,
                e.memo,
                e.actor.username,
                timezone.localtime(e.posted_at).replace(tzinfo=None),
            )
            for e in filterset.qs.order_by("effective_date", "pk")
        ),
    )
    export = build_workbook(
        filename=f"ledger-{award.award_number}-{_stamp()}.xlsx",
        sheets=[sheet],
        about={
            **_about(request, f"Ledger of award {award.award_number}"),
            "Award": award.award_number,
        },
    )
    return _respond(request, export, name="ledger", sheets=[sheet], task_force=award.task_force)


@login_required
def sf425_pdf(request, award_number: str, period_end: str):
    award = get_or_404(selectors.award_list_for_user(user=request.user), award_number=award_number)
    try:
        due = find_due(award, SF425, date.fromisoformat(period_end))
    except ValueError:
        due = None
    if due is None:
        raise Http404("No such reporting period.")
    report = FinancialReport.objects.filter(award=award, period_end=due.period_end).first()
    sf425 = compute_sf425(award, period_end=due.period_end, is_final=due.is_final)
    export = build_sf425_pdf(sf425=sf425, report=report, generated_by=request.user.get_username())
    audit_record(
        actor=request.user,
        action="reports.export.downloaded",
        task_force=award.task_force,
        data={
            "export": "sf425_pdf",
            "award": award.award_number,
            "period_end": period_end,
            "filename": export.filename,
        },
    )
    return FileResponse(
        io.BytesIO(export.content),
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )
