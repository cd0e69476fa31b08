"""XLSX workbooks that keep real types and cannot carry a formula from user text.

Cells: amounts are numbers formatted #,##0.00, dates are dates, identifiers and user
text are text. Any text that a spreadsheet would read as a formula, a DDE call or an
error value is stored as text with a leading apostrophe (OWASP ASVS V1.2.10), and
characters XML cannot hold are removed. Sheets are written in openpyxl's write-only
mode, so a workbook of a million rows streams through a bounded amount of memory.
"""

import hashlib
import re
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
MAX_TEXT = 32767
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "#")


class ExportFile(NamedTuple):
    filename: str
    content_type: str
    content: bytes


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def safe_text(value) -> str:
    """User text as a spreadsheet may hold it: never a formula, never an error value."""
    text = ILLEGAL_CHARACTERS.sub("", str(value))
    if text.startswith(FORMULA_STARTS):
        text = "'" + text
    if len(text) > MAX_TEXT:
        marker = " [truncated]"
        text = text[: MAX_TEXT - len(marker)] + marker
    return text


@dataclass(frozen=True)
class Column:
    header: str
    kind: str = "text"  # text | money | date | int
    width: int = 16
    total: bool = False


@dataclass
class Sheet:
    title: str
    columns: list[Column]
    rows: Iterable[tuple]
    row_count: int = field(default=0, init=False)


def _cell(ws, value, column: Column):
    if value is None or value == "":
        return WriteOnlyCell(ws, value=None)
    if column.kind == "money":
        cell = WriteOnlyCell(ws, value=Decimal(value))
        cell.number_format = MONEY_FORMAT
    elif column.kind == "date":
        cell = WriteOnlyCell(ws, value=value if isinstance(value, (date, datetime)) else None)
        cell.number_format = DATE_FORMAT
    elif column.kind == "int":
        cell = WriteOnlyCell(ws, value=int(value))
    else:
        cell = WriteOnlyCell(ws, value=safe_text(value))
        cell.data_type = "s"  # a string, whatever openpyxl guesses
    return cell


def _write_sheet(wb: Workbook, sheet: Sheet, digest) -> None:
    ws = wb.create_sheet(title=sheet.title[:31])
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
    count = 0
    for row in sheet.rows:
        ws.append(
            [_cell(ws, value, column) for value, column in zip(row, sheet.columns, strict=True)]
        )
        digest.update(repr(row).encode())
        count += 1
    sheet.row_count = count
    last_column = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    if any(column.total for column in sheet.columns) and count:
        totals = [WriteOnlyCell(ws, value="Total")]
        totals[0].font = bold
        for index, column in enumerate(sheet.columns[1:], start=2):
            if column.total:
                letter = get_column_letter(index)
                cell = WriteOnlyCell(ws, value=f"=SUM({letter}2:{letter}{count + 1})")
                cell.number_format = MONEY_FORMAT
                cell.font = bold
            else:
                cell = WriteOnlyCell(ws, value=None)
            totals.append(cell)
        ws.append(totals)


def build_workbook(*, filename: str, sheets: list[Sheet], about: dict[str, str]) -> ExportFile:
    """Write the sheets, then an "About" sheet: who, when, what filters, how many rows,
    and a SHA-256 of the data so a copy can be checked against another."""
    wb = Workbook(write_only=True)
    digest = hashlib.sha256()
    for sheet in sheets:
        _write_sheet(wb, sheet, digest)
    ws = wb.create_sheet(title="About")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80
    rows = list(about.items()) + [(f"Rows in {s.title}", str(s.row_count)) for s in sheets]
    rows.append(("SHA-256 of the data", digest.hexdigest()))
    for key, value in rows:
        ws.append([_cell(ws, key, Column("")), _cell(ws, value, Column(""))])
    # Stream to a temporary file rather than building the archive in memory.
    with tempfile.TemporaryFile() as handle:
        wb.save(handle)
        handle.seek(0)
        content = handle.read()
    return ExportFile(filename, XLSX_TYPE, content)
