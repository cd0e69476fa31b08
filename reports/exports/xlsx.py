"""XLSX workbooks that keep real types and cannot carry a formula from user text.

Cells: amounts are numbers formatted #,##0.00, dates are dates, identifiers and user
text are text. Any text that a spreadsheet would read as a formula, a DDE call or an
error value (OWASP ASVS V1.2.10, OWASP "CSV Injection") is stored as a text cell with
the quotePrefix style: the spreadsheet shows the text as typed and never evaluates it,
and no apostrophe is added to what the person wrote. Characters XML cannot hold are
removed. Sheets are written in openpyxl's write-only mode, so a workbook of a million
rows streams through a bounded amount of memory.

No sheet holds more rows than a spreadsheet can open (SHEET_ROW_LIMIT, the header and
totals included): a longer table goes on numbered sheets ("Ledger 1", "Ledger 2", ...),
each with its own totals, and a sheet of totals over them all. The same tables also
download as CSV (`write_csv`), where the formula starts are escaped as OWASP advises.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.cell.cell import ERROR_CODES
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.properties import PageSetupProperties

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "datetime": DATETIME_FORMAT}
MAX_TEXT = 32767
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a spreadsheet may read as the start of a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Excel's limit, the header and totals rows included.
SHEET_ROW_LIMIT = 1_048_576
# How often (in rows) a writer reports its progress.
PROGRESS_EVERY = 1000


class ExportFile(NamedTuple):
    filename: str
    content_type: str
    content: bytes


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value) -> str:
    """User text as a cell may hold it: no characters XML refuses, at most MAX_TEXT long.
    Whether it must also be kept from being read as a formula is `looks_like_formula`."""
    text = ILLEGAL_CHARACTERS.sub("", str(value))
    if len(text) > MAX_TEXT:
        marker = " [truncated]"
        text = text[: MAX_TEXT - len(marker)] + marker
    return text


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet would run as a formula or show as an error value."""
    return text.startswith(FORMULA_STARTS) or text in ERROR_CODES


def csv_text(value) -> str:
    """User text for a CSV cell: a leading apostrophe before a formula start, as OWASP
    advises for CSV, which has no way to mark a cell as text (cells are also quoted)."""
    text = safe_text(value)
    return "'" + text if looks_like_formula(text) else text


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money | date | datetime | int
    width: int = 16
    total: bool = False


Criteria = tuple[tuple[str, str], ...]  # (column header, value) pairs, all to match


class SumIf(NamedTuple):
    """A total of one money column over the rows whose text columns hold given values,
    written below the sheet as a SUMIFS formula (for example: drawdowns received), less
    the rows matching each of `subtract` (cash receipts: drawdowns less cash returned)."""

    label: str
    column: str
    where: Criteria
    subtract: tuple[Criteria, ...] = ()


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[tuple]
    sum_ifs: list[SumIf] = field(default_factory=list)
    # How many rows the sheet will have, counted before it is written (for progress).
    count: Callable[[], int] | None = None
    row_count: int = field(default=0, init=False)
    parts: list[str] = field(default_factory=list, init=False)  # the titles it went on


def rows_to_write(sheets: Iterable[Sheet]) -> int:
    """The rows the sheets will have, counted before they are written (for progress)."""
    return sum(sheet.count() for sheet in sheets if sheet.count is not None)


class _StyledCell(Cell):
    """A cell handed to a write-only sheet's append(). openpyxl first tries the cell as a
    value and formats repr(cell) into an exception it then discards, once per cell; a
    constant repr keeps that detour cheap on a million-row sheet."""

    def __repr__(self) -> str:
        return "<styled cell>"


class _RowWriter:
    """Turns rows of values into what a write-only sheet appends.

    Text (made safe by safe_text), whole numbers and blanks go in as plain values, as bare
    openpyxl would write them. Amounts and dates need a number format, and text that looks
    like a formula the quotePrefix style and the string type, so they go through one
    styled cell per column, refilled for every row: a write-only sheet serialises each row
    as it is appended, and the style is looked up once per column rather than once per
    cell.
    """

    def __init__(self, ws, columns: list[Column]):
        self.kinds = [column.kind for column in columns]
        self.cells = []
        self.quoted = []
        for column in columns:
            cell = None
            if column.kind in FORMATS:
                cell = _StyledCell(worksheet=ws, column=1, row=1)
                cell.number_format = FORMATS[column.kind]
            self.cells.append(cell)
            quoted = _StyledCell(worksheet=ws, column=1, row=1)
            quoted.quotePrefix = True
            self.quoted.append(quoted)

    def row(self, values: tuple) -> list:
        out = []
        for cell, quoted, value, kind in zip(
            self.cells, self.quoted, values, self.kinds, strict=True
        ):
            if value is None or value == "":
                out.append(None)  # no cell at all, as openpyxl does for None
            elif kind == "text":
                text = safe_text(value)
                if looks_like_formula(text):
                    quoted.value = text
                    quoted.data_type = "s"  # openpyxl would take "=..." for a formula
                    out.append(quoted)
                else:
                    out.append(text)
            elif kind == "int":
                out.append(int(value))
            elif kind == "money":
                cell.value = value if isinstance(value, Decimal) else Decimal(value)
                out.append(cell)
            elif isinstance(value, (date, datetime)):
                cell.value = value
                out.append(cell)
            else:
                out.append(None)
        return out


class _Footer(NamedTuple):
    """One totals cell of a part of a sheet: its label, its column and where it is."""

    label: str
    column: str
    ref: str  # such as J1001


def _footer_rows(sheet: Sheet) -> int:
    return int(any(column.total for column in sheet.columns)) + len(sheet.sum_ifs)


def _part_title(title: str, number: int | None) -> str:
    if number is None:
        return title[:31]
    suffix = f" {number}"
    return title[: 31 - len(suffix)] + suffix


def _start_part(wb: Workbook, sheet: Sheet, title: str):
    ws = wb.create_sheet(title=title)
    ws.freeze_panes = "A2"
    for index, column in enumerate(sheet.columns, start=1):
        ws.column_dimensions[get_column_letter(index)].width = column.width
    bold = Font(bold=True)
    header = []
    for column in sheet.columns:
        cell = WriteOnlyCell(ws, value=column.header)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    return ws


def _finish_part(ws, sheet: Sheet, count: int) -> list[_Footer]:
    """The totals below the `count` rows of one part; returns where they are."""
    last_column = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    if not count:
        return []
    bold = Font(bold=True)
    footers = []
    next_row = count + 2
    if any(column.total for column in sheet.columns):
        totals = [WriteOnlyCell(ws, value="Total")]
        totals[0].font = bold
        for index, column in enumerate(sheet.columns[1:], start=2):
            if column.total:
                letter = get_column_letter(index)
                cell = WriteOnlyCell(ws, value=f"=SUM({letter}2:{letter}{count + 1})")
                cell.number_format = MONEY_FORMAT
                cell.font = bold
                footers.append(_Footer("Total", column.header, f"{letter}{next_row}"))
            else:
                cell = WriteOnlyCell(ws, value=None)
            totals.append(cell)
        ws.append(totals)
        next_row += 1
    letters = {c.header: get_column_letter(i) for i, c in enumerate(sheet.columns, start=1)}

    def span(header: str) -> str:
        return f"${letters[header]}$2:${letters[header]}${count + 1}"

    def sumifs(column: str, where: Criteria) -> str:
        # The criteria are our own labels, never user text.
        criteria = "".join(
            f',{span(header)},"{value.replace(chr(34), chr(34) * 2)}"' for header, value in where
        )
        return f"SUMIFS({span(column)}{criteria})"

    for sum_if in sheet.sum_ifs:
        row = [WriteOnlyCell(ws, value=None) for _ in sheet.columns]
        row[0] = WriteOnlyCell(ws, value=sum_if.label)
        row[0].font = bold
        index = list(letters).index(sum_if.column)
        terms = [sumifs(sum_if.column, sum_if.where)]
        terms += [sumifs(sum_if.column, where) for where in sum_if.subtract]
        formula = WriteOnlyCell(ws, value="=" + "-".join(terms))
        formula.number_format = MONEY_FORMAT
        formula.font = bold
        row[index] = formula
        ws.append(row)
        footers.append(_Footer(sum_if.label, sum_if.column, f"{letters[sum_if.column]}{next_row}"))
        next_row += 1
    return footers


def _write_totals_over_parts(wb: Workbook, sheet: Sheet, parts: list[tuple[str, list]]) -> None:
    """The sheet that adds up the totals of every part of a split table: one row per
    totals cell, a formula over the same cell of each part."""
    ws = wb.create_sheet(title=_part_title(f"{sheet.title} totals", None))
    ws.column_dimensions["A"].width = 40
    ws.column_dimensions["B"].width = 24
    ws.column_dimensions["C"].width = 18
    bold = Font(bold=True)
    header = []
    for text in ("Total", "Column", f"Over {len(parts)} sheets"):
        cell = WriteOnlyCell(ws, value=text)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    for index, footer in enumerate(parts[0][1]):
        terms = [f"{quote_sheetname(title)}!{footers[index].ref}" for title, footers in parts]
        formula = WriteOnlyCell(ws, value="=" + "+".join(terms))
        formula.number_format = MONEY_FORMAT
        ws.append([footer.label, footer.column, formula])


def _write_sheet(wb: Workbook, sheet: Sheet, digest, *, max_rows: int, progress) -> None:
    capacity = max_rows - 1 - _footer_rows(sheet)  # rows of data that fit on one sheet
    if capacity < 1:
        raise ValueError(f"{sheet.title}: {max_rows} rows a sheet leave no room for data.")
    ws = _start_part(wb, sheet, _part_title(sheet.title, None))
    sheets = [ws]
    parts: list[tuple[object, list[_Footer]]] = []
    writer = _RowWriter(ws, sheet.columns)
    count = in_part = 0
    for row in sheet.rows:
        if in_part == capacity:
            parts.append((ws, _finish_part(ws, sheet, in_part)))
            ws = _start_part(wb, sheet, _part_title(sheet.title, len(sheets) + 1))
            sheets.append(ws)
            writer = _RowWriter(ws, sheet.columns)
            in_part = 0
        ws.append(writer.row(row))
        digest.update(repr(row).encode())
        count += 1
        in_part += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    parts.append((ws, _finish_part(ws, sheet, in_part)))
    sheet.row_count = count
    if len(sheets) > 1:
        sheets[0].title = _part_title(sheet.title, 1)
        if parts[0][1]:
            _write_totals_over_parts(wb, sheet, [(w.title, footers) for w, footers in parts])
    sheet.parts = [w.title for w in sheets]
    if progress is not None:
        progress(count)


def write_workbook(
    handle,
    *,
    sheets: list[Sheet],
    about: dict[str, str] | Callable[[], dict[str, str]],
    max_rows: int = SHEET_ROW_LIMIT,
    progress: Callable[[int], None] | None = None,
) -> str:
    """Write the sheets to the open binary file `handle`, then an "About" sheet: who,
    when, what filters, how many rows, and a SHA-256 of the data so a copy can be
    checked against another. Returns that SHA-256. `about` may be a function giving its
    lines once the data is written (a shared run names who it was written for then).

    Rows are consumed as they are written, so sheets built from queryset iterators keep
    memory flat whatever their size. A sheet longer than `max_rows` (header and totals
    included) is split into numbered sheets. `progress(rows)` is called every
    PROGRESS_EVERY rows and at the end of each sheet with the rows written so far.
    """
    wb = Workbook(write_only=True)
    digest = hashlib.sha256()
    done = 0
    for sheet in sheets:
        report = None if progress is None else (lambda n, base=done: progress(base + n))
        _write_sheet(wb, sheet, digest, max_rows=max_rows, progress=report)
        done += sheet.row_count
    ws = wb.create_sheet(title="About")
    ws.column_dimensions["A"].width = ABOUT_KEY_WIDTH
    ws.column_dimensions["B"].width = ABOUT_VALUE_WIDTH
    _print_one_page_wide(ws)
    rows = list((about() if callable(about) else about).items())
    for s in sheets:
        rows.append((f"Rows in {s.title}", str(s.row_count)))
        if len(s.parts) > 1:
            rows.append((f"Sheets of {s.title}", ", ".join(s.parts)))
    sha256 = digest.hexdigest()
    rows.append(("SHA-256 of the data", sha256))
    writer = _RowWriter(ws, [Column("Key"), Column("Value")])
    for number, (key, value) in enumerate(rows, start=1):
        # A write-only sheet writes a row's height with the row, and neither Excel nor
        # LibreOffice fits a row to its wrapped text on opening: the height is set here.
        lines = max(_lines(key, ABOUT_KEY_WIDTH), _lines(value, ABOUT_VALUE_WIDTH))
        if lines > 1:
            ws.row_dimensions[number].height = LINE_HEIGHT * lines
        ws.append([_wrapped(ws, cell) for cell in writer.row((key, value))])
    wb.save(handle)
    return sha256


ABOUT_KEY_WIDTH = 40  # "Total passed through to subrecipients" whole
ABOUT_VALUE_WIDTH = 80  # a SHA-256 whole; longer values wrap
LINE_HEIGHT = 15  # points: a line of the default 11-point font
WRAP = Alignment(wrap_text=True, vertical="top")


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (a
    column's width counts its widest digits, so ordinary text takes no more)."""
    return max(1, -(-len(str(text)) // width))


def _print_one_page_wide(ws) -> None:
    """Print the sheet across, scaled to one page wide: its two columns on one page,
    not the values on a page of their own."""
    ws.sheet_properties.pageSetUpPr = PageSetupProperties(fitToPage=True)
    ws.page_setup.orientation = "landscape"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0  # as many pages down as it takes


def _wrapped(ws, cell):
    """The About sheet's cell, wrapping within its column: a sentence longer than the
    column shows whole, on screen and in print, instead of running past the page."""
    if cell is None:
        return None
    if not isinstance(cell, Cell):
        cell = WriteOnlyCell(ws, value=cell)  # plain text: safe_text made it safe
    cell.alignment = WRAP
    return cell


def write_csv(handle, sheet: Sheet, progress: Callable[[int], None] | None = None) -> int:
    """One table as CSV (UTF-8 with a byte-order mark, so spreadsheets read the accents),
    every cell quoted and formula starts escaped. No row limit and no totals: the rows
    only. Returns the number of rows."""

    text = io.TextIOWrapper(handle, encoding="utf-8-sig", newline="", write_through=True)
    writer = csv.writer(text, quoting=csv.QUOTE_ALL)
    writer.writerow([csv_text(column.header) for column in sheet.columns])
    kinds = [column.kind for column in sheet.columns]
    count = 0
    for row in sheet.rows:
        writer.writerow(
            [
                ""
                if value is None
                else csv_text(value)
                if kind == "text"
                else value.isoformat(sep=" ")
                if isinstance(value, datetime)
                else value.isoformat()
                if isinstance(value, date)
                else str(value)
                for value, kind in zip(row, kinds, strict=True)
            ]
        )
        count += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    text.flush()
    text.detach()  # leave `handle` open for the caller
    sheet.row_count = count
    return count
