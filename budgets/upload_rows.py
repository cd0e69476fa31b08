"""Reading the rows of an uploaded XLSX or CSV file, safely.

An uploaded file is read by one function, `read_rows`, before any of its values is
looked at, and refused with a sentence when it is too large, not what its extension says,
a zip bomb (an XLSX is a zip: its members' uncompressed size is checked before openpyxl
opens it), carries a document type declaration (XXE, entity expansion), holds a formula,
or has more rows than allowed (reading stops at the limit instead of parsing the rest).
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime

from openpyxl import load_workbook

MAX_BYTES = 5 * 1024 * 1024
# An XLSX compresses its XML about tenfold; a hundred times the byte limit is no workbook
# a person filled in, and would keep a worker busy parsing.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_COLUMNS = 40
FORMULA_STARTS = ("=",)


class UnreadableFile(ValueError):
    """The file cannot be read; the message says why, as a sentence."""


def _csv_rows(content: bytes, max_rows: int) -> list[list]:
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableFile("The CSV file is not UTF-8 text.") from None
    if "\x00" in text:
        raise UnreadableFile("The file is not a CSV text file.")
    rows = []
    for number, row in enumerate(csv.reader(io.StringIO(text)), start=1):
        if number > max_rows + 1:
            raise UnreadableFile(f"The file has more than {max_rows:,} rows under its header.")
        for cell in row:
            if cell.strip().startswith(FORMULA_STARTS):
                raise UnreadableFile(
                    f"Row {number} holds a formula ({cell.strip()[:30]}); enter values only."
                )
        rows.append(row[:MAX_COLUMNS])
    return rows


def _check_zip(content: bytes) -> None:
    if not zipfile.is_zipfile(io.BytesIO(content)):
        raise UnreadableFile("The file could not be read as an XLSX workbook.")
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            members = archive.infolist()
            if sum(member.file_size for member in members) > MAX_UNCOMPRESSED:
                raise UnreadableFile(
                    "The workbook unpacks to more than "
                    f"{MAX_UNCOMPRESSED // (1024 * 1024)} MB; upload a smaller file."
                )
            for member in members:
                if member.filename.endswith((".xml", ".rels")):
                    head = archive.read(member)
                    if b"<!DOCTYPE" in head or b"<!ENTITY" in head:
                        raise UnreadableFile(
                            "The workbook declares a document type or entities; "
                            "save it again from a spreadsheet program."
                        )
    except (zipfile.BadZipFile, OSError, RuntimeError, NotImplementedError):
        raise UnreadableFile("The file could not be read as an XLSX workbook.") from None


def _xlsx_rows(content: bytes, max_rows: int) -> list[list]:
    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise UnreadableFile("The file could not be read as an XLSX workbook.") from None
    try:
        sheet = workbook.worksheets[0]
        rows = []
        for number, row in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            if number > max_rows + 1:
                raise UnreadableFile(f"The file has more than {max_rows:,} rows under its header.")
            values = []
            for cell in row:
                value = getattr(cell, "value", None)
                if getattr(cell, "data_type", "") == "f" or (
                    isinstance(value, str) and value.startswith(FORMULA_STARTS)
                ):
                    raise UnreadableFile(
                        f"Row {number} holds a formula ({str(value)[:30]}); enter values only."
                    )
                values.append(value)
            rows.append(values)
        return rows
    except UnreadableFile:
        raise
    except Exception:
        raise UnreadableFile("The file could not be read as an XLSX workbook.") from None
    finally:
        workbook.close()


def read_rows(name: str, content: bytes, *, max_rows: int) -> list[list]:
    """The rows of an .xlsx (its first sheet) or .csv file, header first, as cell values
    (XLSX dates as datetimes, numbers as numbers; CSV cells as text), or UnreadableFile."""
    if not content:
        raise UnreadableFile("The file is empty.")
    if len(content) > MAX_BYTES:
        raise UnreadableFile(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    lower = (name or "").lower()
    if lower.endswith(".csv"):
        if content[:4] == b"PK\x03\x04":
            raise UnreadableFile("The file is a workbook, not a CSV file; name it .xlsx.")
        return _csv_rows(content, max_rows)
    if lower.endswith(".xlsx"):
        return _xlsx_rows(content, max_rows)
    raise UnreadableFile("Upload an .xlsx or .csv file.")


# --- What the importers share: cell errors, headers, blanks and dates ----------------


@dataclass(frozen=True)
class CellError:
    row: int  # 0: the whole file
    column: str  # letter, or "" for the whole row
    header: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        where = f"Row {self.row}"
        if self.column:
            where += f", column {self.column} ({self.header})"
        return f"{where}: {self.message}"


class ImportRefused(Exception):
    """The file is refused: every problem, each naming its row and column."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def file_refused(message: str) -> ImportRefused:
    return ImportRefused([CellError(0, "", "", message)])


def header_key(header) -> str:
    """A header as matched: case and punctuation ignored."""
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def cell_date(value) -> date:
    """A date cell, or text written MM/DD/YYYY or YYYY-MM-DD; ValueError saying why not."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise ValueError(f"{value} is a number, not a date; format the cell as a date")
    text = str(value).strip()
    for pattern in ("%Y-%m-%d", "%m/%d/%Y", "%m/%d/%y"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(f"“{text}” is not a date; write it as MM/DD/YYYY or YYYY-MM-DD")
