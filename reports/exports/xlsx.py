"""XLSX workbooks that keep real types and cannot carry a formula from user text.

Cells: amounts are numbers formatted #,##0.00, dates are dates, identifiers and user
text are text. Any text that a spreadsheet would read as a formula, a DDE call or an
error value is stored as text with a leading apostrophe (OWASP ASVS V1.2.10), and
characters XML cannot hold are removed. Sheets are written in openpyxl's write-only
mode, so a workbook of a million rows streams through a bounded amount of memory.
"""

import hashlib
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

from openpyxl import Workbook
from openpyxl.cell import Cell, WriteOnlyCell
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

MONEY_FORMAT = "#,##0.00"
DATE_FORMAT = "yyyy-mm-dd"
DATETIME_FORMAT = "yyyy-mm-dd hh:mm:ss"
FORMATS = {"money": MONEY_FORMAT, "date": DATE_FORMAT, "datetime": DATETIME_FORMAT}
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
    row_count: int = field(default=0, init=False)


class _StyledCell(Cell):
    """A cell handed to a write-only sheet's append(). openpyxl first tries the cell as a
    value and formats repr(cell) into an exception it then discards, once per cell; a
    constant repr keeps that detour cheap on a million-row sheet."""

    def __repr__(self) -> str:
        return "<styled cell>"


class _RowWriter:
    """Turns rows of values into what a write-only sheet appends.

    Text (made safe by safe_text, so openpyxl can only read it as a string), whole
    numbers and blanks go in as plain values, as bare openpyxl would write them. Amounts
    and dates need a number format, so they go through one styled cell per column,
    refilled for every row: a write-only sheet serialises each row as it is appended, and
    the style is looked up once per column rather than once per cell.
    """

    def __init__(self, ws, columns: list[Column]):
        self.kinds = [column.kind for column in columns]
        self.cells = []
        for column in columns:
            cell = None
            if column.kind in FORMATS:
                cell = _StyledCell(worksheet=ws, column=1, row=1)
                cell.number_format = FORMATS[column.kind]
            self.cells.append(cell)

    def row(self, values: tuple) -> list:
        out = []
        for cell, value, kind in zip(self.cells, values, self.kinds, strict=True):
            if value is None or value == "":
                out.append(None)  # no cell at all, as openpyxl does for None
            elif kind == "text":
                out.append(safe_text(value))
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
    writer = _RowWriter(ws, sheet.columns)
    count = 0
    for row in sheet.rows:
        ws.append(writer.row(row))
        digest.update(repr(row).encode())
        count += 1
    sheet.row_count = count
    last_column = get_column_letter(len(sheet.columns))
    ws.auto_filter.ref = f"A1:{last_column}{count + 1}"
    if not count:
        return
    if any(column.total for column in sheet.columns):
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


def write_workbook(handle, *, sheets: list[Sheet], about: dict[str, str]) -> str:
    """Write the sheets to the open binary file `handle`, then an "About" sheet: who,
    when, what filters, how many rows, and a SHA-256 of the data so a copy can be
    checked against another. Returns that SHA-256.

    Rows are consumed as they are written, so sheets built from queryset iterators keep
    memory flat whatever their size.
    """
    wb = Workbook(write_only=True)
    digest = hashlib.sha256()
    for sheet in sheets:
        _write_sheet(wb, sheet, digest)
    ws = wb.create_sheet(title="About")
    ws.column_dimensions["A"].width = 28
    ws.column_dimensions["B"].width = 80
    rows = list(about.items()) + [(f"Rows in {s.title}", str(s.row_count)) for s in sheets]
    sha256 = digest.hexdigest()
    rows.append(("SHA-256 of the data", sha256))
    writer = _RowWriter(ws, [Column("Key"), Column("Value")])
    for key, value in rows:
        ws.append(writer.row((key, value)))
    wb.save(handle)
    return sha256
