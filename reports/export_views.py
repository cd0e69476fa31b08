"""Downloads of the tables, the auditor workbooks and the evidence packs.

Every table page's download is declared in reports.exports.tables and served by
`table_xlsx`. Each file goes out through reports.exports.downloads, which writes it to
the audit trail with its SHA-256.
"""

from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404, HttpResponseBadRequest

from grants import selectors
from grants.lookups import award_or_404, get_or_404
from grants.models import FIRST_FISCAL_YEAR
from reports.exports import tables
from reports.exports.downloads import Written, send_file
from reports.exports.packs import ZIP_TYPE, write_pack
from reports.exports.workbooks import (
    Selection,
    consistent_snapshot,
    selection_about,
    selection_sheets,
    workbook_filename,
)
from reports.exports.xlsx import XLSX_TYPE, write_workbook


@login_required
def table_xlsx(request, name: str, key: str | None = None):
    """The download of any table page declared in reports.exports.tables."""
    return tables.download(request, tables.get_or_404(name), key)


# --- Auditor workbooks and evidence packs ------------------------------------------------


def _selection_response(request, *, selection: Selection, kind: str, write) -> FileResponse:
    """Write the file with `write(handle)` from one consistent snapshot, and send it."""

    def write_snapshot(handle) -> Written:
        with consistent_snapshot():
            return write(handle)

    task_force = selection.task_force or (selection.award.task_force if selection.award else None)
    return send_file(
        request,
        write_snapshot,
        name=kind,
        task_force=task_force,
        selection=selection.label,
        fiscal_year=selection.fiscal_year,
    )


def _workbook_response(request, selection: Selection) -> FileResponse:
    def write(handle):
        sheets = selection_sheets(user=request.user, selection=selection)
        about = selection_about(user=request.user, selection=selection)
        data_sha256 = write_workbook(handle, sheets=sheets, about=about)
        rows = {sheet.title: sheet.row_count for sheet in sheets}
        return Written(
            workbook_filename(selection), XLSX_TYPE, {"rows": rows, "data_sha256": data_sha256}
        )

    return _selection_response(request, selection=selection, kind="auditor_workbook", write=write)


def _pack_response(request, selection: Selection) -> FileResponse:
    def write(handle):
        pack = write_pack(handle, user=request.user, selection=selection)
        files = [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in pack.files]
        return Written(pack.filename, ZIP_TYPE, {"rows": pack.rows, "files": files})

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
