"""Downloads of the table pages as XLSX, honouring the filters on screen.

Each reads through the same selector and filter as its page, so the file holds exactly
the rows the person could see, and each download is written to the audit trail.
"""

import hashlib
import io
import tempfile
from datetime import date

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpRequest, HttpResponseBadRequest
from django.utils import timezone

from budgets.filters import DrawdownFilter, LedgerFilter
from budgets.selectors import drawdown_list_for_user, ledger_for_award
from grants import access, selectors
from grants.audit import audit_record
from grants.filters import AppropriationFilter, AwardFilter, TaskForceFilter
from grants.lookups import award_or_404, get_or_404
from grants.models import FIRST_FISCAL_YEAR
from reports.calendar import SF425, find_due
from reports.exports.packs import ZIP_TYPE, write_pack
from reports.exports.pdf import build_sf425_pdf
from reports.exports.workbooks import (
    LEDGER_COLUMNS,
    Selection,
    appropriation_sheet,
    award_sheet,
    consistent_snapshot,
    drawdown_sheet,
    exported_at,
    ledger_rows,
    selection_about,
    selection_sheets,
    workbook_filename,
)
from reports.exports.xlsx import (
    XLSX_TYPE,
    Column,
    ExportFile,
    Sheet,
    build_workbook,
    write_workbook,
)
from reports.models import FinancialReport
from reports.sf425 import compute_sf425


def _filters(request: HttpRequest) -> dict[str, str]:
    return {k: v for k, v in request.GET.items() if v}


def _about(request: HttpRequest, title: str) -> dict[str, str]:
    filters = "; ".join(f"{k}={v}" for k, v in _filters(request).items()) or "none"
    return {
        "Export": title,
        "Exported by": request.user.get_username(),
        "Exported at": exported_at(),
        "Filters": filters,
        "Scope": "every task force"
        if access.sees_every_task_force(request.user)
        else "your task force",
    }


def _stamp() -> str:
    return timezone.localdate().strftime("%Y%m%d")


def _record_download(request, *, name: str, filename: str, task_force=None, **data) -> None:
    """Every download, whatever its kind, is one audit event of the same action."""
    audit_record(
        actor=request.user,
        action="reports.export.downloaded",
        task_force=task_force,
        data={"export": name, **data, "filename": filename},
    )


def audited_download(
    request, export: ExportFile, *, name: str, task_force=None, **data
) -> FileResponse:
    """Write the download to the audit trail and send the file as an attachment."""
    _record_download(request, name=name, filename=export.filename, task_force=task_force, **data)
    return FileResponse(
        io.BytesIO(export.content),
        as_attachment=True,
        filename=export.filename,
        content_type=export.content_type,
    )


def xlsx_download(
    request,
    sheet: Sheet,
    *,
    name: str,
    filename: str,
    title: str,
    about: dict[str, str] | None = None,
    task_force=None,
) -> FileResponse:
    """The download of a table page: one sheet of the rows on screen, an About sheet naming
    the filters, an audit event with the row count, named `{filename}-YYYYMMDD.xlsx`."""
    export = build_workbook(
        filename=f"{filename}-{_stamp()}.xlsx",
        sheets=[sheet],
        about={**_about(request, title), **(about or {})},
    )
    # The rows are counted as the workbook is written, so only after build_workbook.
    return audited_download(
        request,
        export,
        name=name,
        task_force=task_force,
        filters=_filters(request),
        rows=sheet.row_count,
    )


@login_required
def awards_xlsx(request):
    filterset = AwardFilter(
        request.GET,
        queryset=selectors.award_list_for_user(user=request.user),
        task_forces=selectors.task_force_list_for_user(user=request.user),
    )
    sheet = award_sheet(filterset.qs)
    return xlsx_download(request, sheet, name="awards", filename="awards", title="Awards")


@login_required
def appropriations_xlsx(request):
    access.require(access.can_view_program(request.user))
    filterset = AppropriationFilter(
        request.GET, queryset=selectors.appropriation_list_for_user(user=request.user)
    )
    sheet = appropriation_sheet(filterset.qs)
    return xlsx_download(
        request, sheet, name="appropriations", filename="appropriations", title="Appropriations"
    )


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
    return xlsx_download(
        request, sheet, name="task_forces", filename="task-forces", title="Task forces"
    )


@login_required
def drawdowns_xlsx(request):
    filterset = DrawdownFilter(request.GET, queryset=drawdown_list_for_user(user=request.user))
    sheet = drawdown_sheet(filterset.qs)
    return xlsx_download(request, sheet, name="drawdowns", filename="drawdowns", title="Drawdowns")


@login_required
def ledger_xlsx(request, award_number: str):
    award = award_or_404(request, award_number)
    ledger = ledger_for_award(award=award)
    # The filters choose the rows; the running balances are those of the whole ledger,
    # carried along by ledger_rows in one pass rather than by a subquery per row.
    shown = set(LedgerFilter(request.GET, queryset=ledger).qs.values_list("pk", flat=True))
    columns = [
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
    headers = [column.header for column in LEDGER_COLUMNS]
    keep = [headers.index(column.header) for column in columns]
    entry = headers.index("Entry")
    sheet = Sheet(
        "Ledger",
        columns,
        (tuple(row[i] for i in keep) for row in ledger_rows(ledger) if row[entry] in shown),
    )
    return xlsx_download(
        request,
        sheet,
        name="ledger",
        filename=f"ledger-{award.award_number}",
        title=f"Ledger of award {award.award_number}",
        about={"Award": award.award_number},
        task_force=award.task_force,
    )


@login_required
def sf425_pdf(request, award_number: str, period_end: str):
    award = award_or_404(request, award_number)
    try:
        due = find_due(award, SF425, date.fromisoformat(period_end))
    except ValueError:
        due = None
    if due is None:
        raise Http404("No such reporting period.")
    report = FinancialReport.objects.filter(award=award, period_end=due.period_end).first()
    sf425 = compute_sf425(award, period_end=due.period_end, is_final=due.is_final)
    export = build_sf425_pdf(sf425=sf425, report=report, generated_by=request.user.get_username())
    return audited_download(
        request,
        export,
        name="sf425_pdf",
        task_force=award.task_force,
        award=award.award_number,
        period_end=period_end,
    )


# --- Auditor workbooks and evidence packs ------------------------------------------------
# Built into temporary files and streamed from there, so a whole-program workbook never
# sits in memory. Every download is audited with the SHA-256 the file carries.


def _selection_response(request, *, selection: Selection, kind: str, write) -> FileResponse:
    """Write the file with `write(handle)`, audit the download, stream the file."""
    handle = tempfile.TemporaryFile()
    try:
        with consistent_snapshot():
            filename, content_type, data = write(handle)
        handle.seek(0)
        digest = hashlib.file_digest(handle, "sha256").hexdigest()
        handle.seek(0)
    except BaseException:
        handle.close()
        raise
    task_force = selection.task_force or (selection.award.task_force if selection.award else None)
    _record_download(
        request,
        name=kind,
        filename=filename,
        task_force=task_force,
        selection=selection.label,
        fiscal_year=selection.fiscal_year,
        file_sha256=digest,
        **data,
    )
    # FileResponse closes (and so deletes) the temporary file once it is sent.
    return FileResponse(handle, as_attachment=True, filename=filename, content_type=content_type)


def _workbook_response(request, selection: Selection) -> FileResponse:
    def write(handle):
        sheets = selection_sheets(user=request.user, selection=selection)
        about = selection_about(user=request.user, selection=selection)
        data_sha256 = write_workbook(handle, sheets=sheets, about=about)
        rows = {sheet.title: sheet.row_count for sheet in sheets}
        return workbook_filename(selection), XLSX_TYPE, {"rows": rows, "data_sha256": data_sha256}

    return _selection_response(request, selection=selection, kind="auditor_workbook", write=write)


def _pack_response(request, selection: Selection) -> FileResponse:
    def write(handle):
        pack = write_pack(handle, user=request.user, selection=selection)
        files = [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in pack.files]
        return pack.filename, ZIP_TYPE, {"rows": pack.rows, "files": files}

    return _selection_response(request, selection=selection, kind="evidence_pack", write=write)


def _fiscal_year(value: str | None) -> int | None:
    """The fiscal year a query asks for; None for the whole program."""
    if value in (None, ""):
        return None
    if not value.isdigit() or not FIRST_FISCAL_YEAR <= int(value) <= 2100:
        raise ValueError(
            f"Fiscal year (fy) must be a year from {FIRST_FISCAL_YEAR} to 2100, such as 2025; "
            f"got {value[:20]!r}."
        )
    return int(value)


@login_required
def program_workbook(request):
    """The auditor workbook for the whole program, or one fiscal year with ?fy=2025.

    Task-force staff get it for their own task forces (see selection_about)."""
    try:
        fiscal_year = _fiscal_year(request.GET.get("fy"))
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return _workbook_response(request, Selection(fiscal_year=fiscal_year))


@login_required
def award_workbook(request, award_number: str):
    award = award_or_404(request, award_number)
    return _workbook_response(request, Selection(award=award))


@login_required
def award_pack(request, award_number: str):
    award = award_or_404(request, award_number)
    return _pack_response(request, Selection(award=award))


@login_required
def task_force_pack(request, code: str):
    task_force = get_or_404(selectors.task_force_list_for_user(user=request.user), code=code)
    return _pack_response(request, Selection(task_force=task_force))


@login_required
def fiscal_year_pack(request, fiscal_year: int):
    try:
        _fiscal_year(str(fiscal_year))
    except ValueError:
        raise Http404("No such fiscal year.") from None
    return _pack_response(request, Selection(fiscal_year=fiscal_year))
