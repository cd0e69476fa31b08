"""Table exports: the XLSX download of each table page, declared once.

A declaration (`TableExport`, added with `register`) says what varies from one table to
the next: its name (the download is /exports/<name>.xlsx, or /exports/<name>/<key>.xlsx
for the table of one object such as an award's ledger, and the audit trail names the
export by it), its title, the scoped selector the page reads, the page's filters and the
sheet's columns. Everything else is the same for every table and lives here: the person
must be allowed to see the page, the rows are those the page shows with the filters on
screen (another task force's rows are never among them, another task force's award is a
404), the About sheet names who, when, which filters and which scope, and the file goes
out through reports.exports.downloads, which records it with its SHA-256.

One view serves them all (reports.export_views.table_xlsx). Each app declares its own
tables in its `table_exports` module, imported when the app is ready.
"""

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any

from django.db.models import QuerySet
from django.http import Http404, HttpRequest
from django.utils import timezone

from grants import access
from reports.exports.downloads import Written, send_file
from reports.exports.workbooks import CHUNK, exported_at
from reports.exports.xlsx import XLSX_TYPE, Column, Sheet, write_workbook


@dataclass(frozen=True)
class Shown:
    """A table page as one person sees it: the filters in its query string, the object
    whose table it is (an award, for its ledger), and the rows the page shows."""

    user: Any
    params: Any  # the request's QueryDict
    of: Any = None
    rows: Any = None


@dataclass(frozen=True)
class TableExport:
    """One table's download. `title`, `filename` and `sheet_title` may be functions of
    the `Shown` page when they name its object."""

    name: str
    title: str | Callable[[Shown], str]
    # The page's rows before its filters, read through a selector scoped to the person
    # (or, for a table of one object, through that object).
    select: Callable[[Shown], QuerySet | Iterable]
    # The page's filterset; None where the page chooses its rows itself, in `select`.
    filterset: type | None = None
    # Keyword arguments the filterset takes from the person (the task forces they see).
    filterset_options: Callable[[Shown], dict] | None = None
    # The sheet, column by column: `row(record)` gives the values in the columns' order.
    columns: Sequence[Column] = ()
    row: Callable[[Any], tuple] | None = None
    order_by: Sequence[str] = ()
    # Or the whole sheet from the page, for a sheet the auditor workbook shares or one
    # whose columns depend on the page's choices.
    sheet: Callable[[Shown], Sheet] | None = None
    sheet_title: str | Callable[[Shown], str] | None = None
    # The file's name before "-YYYYMMDD.xlsx"; by default the name, with hyphens.
    filename: str | Callable[[Shown], str] | None = None
    may_view: Callable[[Any], bool] | None = None  # False is a 403
    # For a table of one object: that object from the key in the URL, through a selector
    # scoped to the person (another task force's award is a 404).
    of: Callable[[HttpRequest, str], Any] | None = None
    about: Callable[[Shown], dict[str, str]] | None = None
    task_force: Callable[[Shown], Any] | None = None  # the audit event's task force

    def __post_init__(self):
        if (self.sheet is None) == (self.row is None) or (self.row and not self.columns):
            raise ValueError(f"Table export {self.name!r}: give either columns and row, or sheet.")

    def shown(self, request: HttpRequest, key: str | None) -> Shown:
        """The page as the person sees it; PermissionDenied or Http404 where they may not."""
        if (key is None) != (self.of is None):
            raise Http404("No such table.")
        user = request.user
        if self.may_view is not None:
            access.require(self.may_view(user))
        of = self.of(request, key) if self.of else None
        shown = Shown(user=user, params=request.GET, of=of)
        rows = self.select(shown)
        if self.filterset is not None:
            options = self.filterset_options(shown) if self.filterset_options else {}
            rows = self.filterset(request.GET, queryset=rows, **options).qs
        return replace(shown, rows=rows)

    def build_sheet(self, shown: Shown) -> Sheet:
        if self.sheet is not None:
            return self.sheet(shown)
        rows = shown.rows
        if isinstance(rows, QuerySet):
            if self.order_by:
                rows = rows.order_by(*self.order_by)
            rows = rows.iterator(chunk_size=CHUNK)
        title = _text(self.sheet_title, shown) or _text(self.title, shown)
        return Sheet(title, list(self.columns), (self.row(record) for record in rows))


def _text(value, shown: Shown) -> str | None:
    return value(shown) if callable(value) else value


_REGISTRY: dict[str, TableExport] = {}


def register(export: TableExport) -> TableExport:
    if export.name in _REGISTRY:
        raise ValueError(f"Table export {export.name!r} is declared twice.")
    _REGISTRY[export.name] = export
    return export


def registered() -> dict[str, TableExport]:
    """Every declared table export by name."""
    return dict(_REGISTRY)


def get_or_404(name: str) -> TableExport:
    try:
        return _REGISTRY[name]
    except KeyError:
        raise Http404("No such table.") from None


def request_filters(request: HttpRequest) -> dict[str, str]:
    """The filters a request chose: its query string without the empty values."""
    return {k: v for k, v in request.GET.items() if v}


def download(request: HttpRequest, export: TableExport, key: str | None = None):
    """The download of a table page: one sheet of the rows the page shows, an About sheet
    naming the filters, an audit event with the row count and the file's SHA-256, named
    `{filename}-YYYYMMDD.xlsx`."""
    shown = export.shown(request, key)
    sheet = export.build_sheet(shown)
    title = _text(export.title, shown)
    filters = request_filters(request)
    about = {
        "Export": title,
        "Exported by": request.user.get_username(),
        "Exported at": exported_at(),
        "Filters": "; ".join(f"{k}={v}" for k, v in filters.items()) or "none",
        "Scope": "every task force"
        if access.sees_every_task_force(request.user)
        else "your task force",
        **(export.about(shown) if export.about else {}),
    }
    stem = _text(export.filename, shown) or export.name.replace("_", "-")
    filename = f"{stem}-{timezone.localdate():%Y%m%d}.xlsx"

    def write(handle) -> Written:
        write_workbook(handle, sheets=[sheet], about=about)
        # The rows are counted as the workbook is written, so only after write_workbook.
        return Written(filename, XLSX_TYPE, {"filters": filters, "rows": sheet.row_count})

    return send_file(
        request,
        write,
        name=export.name,
        task_force=export.task_force(shown) if export.task_force else None,
    )
