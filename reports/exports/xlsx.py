"""XLSX workbooks that keep real types and cannot carry a formula from user text.

Cells: amounts are numbers formatted #,##0.00, dates are dates, identifiers and user
text are text. Any text that a spreadsheet would read as a formula, a DDE call or an
error value (OWASP ASVS V1.2.10, OWASP "CSV Injection") is stored as a text cell with
the quotePrefix style: the spreadsheet shows the text as typed and never evaluates it,
and no apostrophe is added to what the person wrote. Characters XML cannot hold are
removed. Sheets are written as a stream (reports.exports.spreadsheetml), so a workbook
of a million rows goes through a bounded amount of memory. Each total below a table is
a formula that also carries its value, for readers that do not calculate.

No sheet holds more rows than a spreadsheet can open (SHEET_ROW_LIMIT, the header and
totals included): a longer table goes on numbered sheets ("Ledger 1", "Ledger 2", ...),
each with its own totals, and a sheet of totals over them all. The same tables also
download as CSV (`write_csv`), where the formula starts are escaped as OWASP advises.
"""

import csv
import hashlib
import io
import operator
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from typing import NamedTuple

from openpyxl.cell.cell import ERROR_CODES
from openpyxl.utils import quote_sheetname

from reports.exports import spreadsheetml as xml

MAX_TEXT = 32767
ILLEGAL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
# What a spreadsheet may read as the start of a formula (OWASP "CSV Injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
ZERO = Decimal("0.00")
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
    text = value if isinstance(value, str) else str(value)
    if not text.isprintable():  # only then can it hold a control character
        text = ILLEGAL_CHARACTERS.sub("", text)
    if len(text) > MAX_TEXT:
        marker = " [truncated]"
        text = text[: MAX_TEXT - len(marker)] + marker
    return text


def looks_like_formula(text: str) -> bool:
    """Text a spreadsheet would run as a formula or show as an error value."""
    return text.startswith(FORMULA_STARTS) or text in _ERROR_VALUES


_ERROR_VALUES = frozenset(ERROR_CODES)


def is_blank(value) -> bool:
    """No value: None or empty text. Tested by type first: comparing a Decimal with ""
    goes through the numbers ABCs, a cost paid for every cell of a million rows."""
    return value is None or (isinstance(value, str) and not value)


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


class _RowWriter:
    """Turns rows of values into their cells' XML, by the kind of each column.

    Text is made safe by safe_text; text that looks like a formula gets the quotePrefix
    style, so it shows as typed and is never run. Amounts and dates carry their number
    format; a date column may hold a word instead ("Never"), written as text. A blank
    value writes no cell at all."""

    def __init__(self, columns: list[Column], *, wrapped: bool = False):
        self.letters = xml.column_letters(len(columns))
        self.plain, self.quoted = (
            (xml.WRAPPED, xml.WRAPPED_QUOTED) if wrapped else (xml.PLAIN, xml.QUOTED)
        )
        # Each column's cell writer, chosen once rather than by its kind at every cell.
        writers = {
            "text": self._text,
            "int": self._int,
            "money": self._money,
            "date": partial(self._moment, xml.DATE),
            "datetime": partial(self._moment, xml.DATETIME),
        }
        self.writers = [writers[column.kind] for column in columns]

    def cells(self, number: int, values: tuple) -> list[str]:
        return [
            write(f"{letter}{number}", value)
            for letter, value, write in zip(self.letters, values, self.writers, strict=True)
            # is_blank, written out: this runs for every cell.
            if value is not None and not (isinstance(value, str) and not value)
        ]

    def _text(self, ref: str, value) -> str:
        text = safe_text(value)
        return xml.text_cell(ref, text, self.quoted if looks_like_formula(text) else self.plain)

    def _int(self, ref: str, value) -> str:
        return xml.number_cell(ref, int(value))

    def _money(self, ref: str, value) -> str:
        amount = value if isinstance(value, Decimal) else Decimal(value)
        return xml.number_cell(ref, amount, xml.MONEY)

    def _moment(self, style: int, ref: str, value) -> str:
        if isinstance(value, date):
            return xml.date_cell(ref, value, style)
        return self._text(ref, value)  # a word where there is no date ("Never")


# What makes a SUMIFS criterion more than a plain "equals" in a spreadsheet.
_CRITERIA_SYNTAX = re.compile(r"^[<>=]|[*?~]")


class _Totals:
    """The totals below one part of a sheet, added up as its rows are written: each
    formula cell also carries the value it computes to. A SumIf's criteria are our
    own labels, matched exactly, as SUMIFS matches text without operators or wildcards."""

    def __init__(self, sheet: Sheet):
        self.index = {column.header: i for i, column in enumerate(sheet.columns)}
        self.total_columns = [i for i, column in enumerate(sheet.columns) if column.total]
        self.column_sums = [ZERO] * len(self.total_columns)
        self.terms: list[tuple[int, tuple[tuple[int, str], ...]]] = []  # column, criteria
        for sum_if in sheet.sum_ifs:
            for where in (sum_if.where, *sum_if.subtract):
                for _, value in where:
                    if _CRITERIA_SYNTAX.search(value):
                        raise ValueError(f"{sum_if.label}: {value!r} is not a plain label.")
                term = self._term(sum_if.column, where)
                if term not in self.terms:
                    self.terms.append(term)
        self.term_sums = [ZERO] * len(self.terms)
        # The terms by the columns their criteria read, then by the values they ask for:
        # a row's values in those columns are read once and looked up, instead of each
        # term comparing them in turn.
        by_columns: dict[tuple[int, ...], dict[tuple, list[tuple[int, int]]]] = {}
        for k, (i, criteria) in enumerate(self.terms):
            columns = tuple(j for j, _ in criteria)
            values = tuple(v for _, v in criteria)
            by_columns.setdefault(columns, {}).setdefault(values, []).append((k, i))
        self.matchers = [
            (_values_in(columns), by_values) for columns, by_values in by_columns.items()
        ]

    def add(self, row: tuple) -> None:
        for k, i in enumerate(self.total_columns):
            value = row[i]
            if not is_blank(value):
                self.column_sums[k] += value if isinstance(value, Decimal) else Decimal(value)
        for values_of, by_values in self.matchers:
            for k, i in by_values.get(values_of(row), ()):
                value = row[i]
                if not is_blank(value):
                    self.term_sums[k] += value if isinstance(value, Decimal) else Decimal(value)

    def column_total(self, i: int) -> Decimal:
        return self.column_sums[self.total_columns.index(i)]

    def sum_if_total(self, sum_if: SumIf) -> Decimal:
        """What the SumIf's formula computes to: its rows, less those it subtracts."""
        first, *subtracted = (
            self.term_sums[self.terms.index(self._term(sum_if.column, where))]
            for where in (sum_if.where, *sum_if.subtract)
        )
        return first - sum(subtracted, ZERO)

    def _term(self, column: str, where: Criteria) -> tuple[int, tuple[tuple[int, str], ...]]:
        return self.index[column], tuple((self.index[h], v) for h, v in where)


def _values_in(columns: tuple[int, ...]) -> Callable[[tuple], tuple]:
    """A function giving a row's values in `columns`, as a tuple."""
    if not columns:
        return lambda row: ()
    if len(columns) == 1:
        (column,) = columns
        return lambda row: (row[column],)
    return operator.itemgetter(*columns)


class _Footer(NamedTuple):
    """One totals cell of a part of a sheet: its label, its column, where it is and
    what it adds up to."""

    label: str
    column: str
    ref: str  # such as J1001
    value: Decimal


def _footer_rows(sheet: Sheet) -> int:
    return int(any(column.total for column in sheet.columns)) + len(sheet.sum_ifs)


def _part_title(title: str, number: int | None) -> str:
    if number is None:
        return title[:31]
    suffix = f" {number}"
    return title[: 31 - len(suffix)] + suffix


def _start_part(wb: xml.Workbook, sheet: Sheet, title: str) -> xml.Worksheet:
    ws = wb.add_sheet(title, [column.width for column in sheet.columns])
    ws.append(xml.header_cells([column.header for column in sheet.columns]))
    return ws


def _finish_part(ws: xml.Worksheet, sheet: Sheet, count: int, totals: _Totals) -> list[_Footer]:
    """The totals below the `count` rows of one part; returns where they are."""
    letters = xml.column_letters(len(sheet.columns))
    ws.autofilter = f"A1:{letters[-1]}{count + 1}"
    if not count:
        return []
    footers = []
    if any(column.total for column in sheet.columns):
        number = ws.next_row
        cells = [xml.text_cell(f"A{number}", "Total", xml.BOLD)]
        for index, column in enumerate(sheet.columns[1:], start=1):
            if column.total:
                letter = letters[index]
                ref = f"{letter}{number}"
                value = totals.column_total(index)
                formula = f"SUM({letter}2:{letter}{count + 1})"
                cells.append(xml.formula_cell(ref, formula, value, xml.BOLD_MONEY))
                footers.append(_Footer("Total", column.header, ref, value))
        ws.append(cells)
    by_header = {c.header: letter for c, letter in zip(sheet.columns, letters, strict=True)}

    def span(header: str) -> str:
        return f"${by_header[header]}$2:${by_header[header]}${count + 1}"

    def sumifs(column: str, where: Criteria) -> str:
        # The criteria are our own labels, never user text.
        criteria = "".join(
            f',{span(header)},"{value.replace(chr(34), chr(34) * 2)}"' for header, value in where
        )
        return f"SUMIFS({span(column)}{criteria})"

    for sum_if in sheet.sum_ifs:
        number = ws.next_row
        ref = f"{by_header[sum_if.column]}{number}"
        terms = [sumifs(sum_if.column, where) for where in (sum_if.where, *sum_if.subtract)]
        value = totals.sum_if_total(sum_if)
        label = xml.text_cell(f"A{number}", sum_if.label, xml.BOLD)
        formula = xml.formula_cell(ref, "-".join(terms), value, xml.BOLD_MONEY)
        ws.append([label, formula])  # the amount column is never the first
        footers.append(_Footer(sum_if.label, sum_if.column, ref, value))
    return footers


def _write_totals_over_parts(
    wb: xml.Workbook, sheet: Sheet, parts: list[tuple[str, list[_Footer]]]
) -> None:
    """The sheet that adds up the totals of every part of a split table: one row per
    totals cell, a formula over the same cell of each part."""
    title = _part_title(f"{sheet.title} totals", None)
    ws = wb.add_sheet(title, [40, 24, 18], freeze_header=False)
    header = ("Total", "Column", f"Over {len(parts)} sheets")
    ws.append(xml.header_cells(header))
    for index, footer in enumerate(parts[0][1]):
        number = ws.next_row
        terms = [f"{quote_sheetname(part)}!{footers[index].ref}" for part, footers in parts]
        value = sum((footers[index].value for _, footers in parts), ZERO)
        ws.append(
            [
                xml.text_cell(f"A{number}", footer.label),
                xml.text_cell(f"B{number}", footer.column),
                xml.formula_cell(f"C{number}", "+".join(terms), value, xml.MONEY),
            ]
        )


def _write_sheet(wb: xml.Workbook, sheet: Sheet, digest, *, max_rows: int, progress) -> None:
    capacity = max_rows - 1 - _footer_rows(sheet)  # rows of data that fit on one sheet
    if capacity < 1:
        raise ValueError(f"{sheet.title}: {max_rows} rows a sheet leave no room for data.")
    ws = _start_part(wb, sheet, _part_title(sheet.title, None))
    sheets = [ws]
    parts: list[tuple[xml.Worksheet, list[_Footer]]] = []
    writer = _RowWriter(sheet.columns)
    totals = _Totals(sheet)
    count = in_part = 0
    for row in sheet.rows:
        if in_part == capacity:
            parts.append((ws, _finish_part(ws, sheet, in_part, totals)))
            ws = _start_part(wb, sheet, _part_title(sheet.title, len(sheets) + 1))
            sheets.append(ws)
            totals = _Totals(sheet)
            in_part = 0
        ws.append(writer.cells(ws.next_row, row))
        totals.add(row)
        digest.update(repr(row).encode())
        count += 1
        in_part += 1
        if progress is not None and count % PROGRESS_EVERY == 0:
            progress(count)
    parts.append((ws, _finish_part(ws, sheet, in_part, totals)))
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
    wb = xml.Workbook(handle)
    digest = hashlib.sha256()
    done = 0
    for sheet in sheets:
        report = None if progress is None else (lambda n, base=done: progress(base + n))
        _write_sheet(wb, sheet, digest, max_rows=max_rows, progress=report)
        done += sheet.row_count
    # Printed across, scaled to one page wide: its two columns on one page, not the
    # values on a page of their own.
    ws = wb.add_sheet("About", [ABOUT_KEY_WIDTH, ABOUT_VALUE_WIDTH], freeze_header=False)
    ws.one_page_wide = True
    rows = list((about() if callable(about) else about).items())
    for s in sheets:
        rows.append((f"Rows in {s.title}", str(s.row_count)))
        if len(s.parts) > 1:
            rows.append((f"Sheets of {s.title}", ", ".join(s.parts)))
    sha256 = digest.hexdigest()
    rows.append(("SHA-256 of the data", sha256))
    # Values wrap within their column, so a sentence longer than the column shows whole,
    # on screen and in print.
    writer = _RowWriter([Column("Key"), Column("Value")], wrapped=True)
    for key, value in rows:
        # Neither Excel nor LibreOffice fits a row to its wrapped text on opening: the
        # height is written with the row.
        lines = max(_lines(key, ABOUT_KEY_WIDTH), _lines(value, ABOUT_VALUE_WIDTH))
        height = LINE_HEIGHT * lines if lines > 1 else None
        ws.append(writer.cells(ws.next_row, (key, value)), height)
    wb.close()
    return sha256


ABOUT_KEY_WIDTH = 40  # "Total passed through to subrecipients" whole
ABOUT_VALUE_WIDTH = 80  # a SHA-256 whole; longer values wrap
LINE_HEIGHT = 15  # points: a line of the default 11-point font


def _lines(text: str, width: int) -> int:
    """How many lines `text` takes wrapped in a column `width` characters wide (a
    column's width counts its widest digits, so ordinary text takes no more)."""
    return max(1, -(-len(str(text)) // width))


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
