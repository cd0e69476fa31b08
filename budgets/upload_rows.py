"""Reading the rows of an uploaded XLSX or CSV file, safely: the one reader every import
uses (the ledger import, ASAP payments, past awards, factor data).

An uploaded file is a ZIP of XML (an XLSX) or text (a CSV) that a hostile or broken file
can make expensive, so it is checked as a file before any of it is parsed: its size, its
type by its first bytes (not its name), for a workbook the number of ZIP members, their
uncompressed size in all and each member's compression ratio (a ZIP bomb), no DOCTYPE or
ENTITY in any XML part (XXE, entity expansion; openpyxl parses with defusedxml as well);
a CSV must be UTF-8 (a BOM is allowed). The rows are then streamed (openpyxl read-only
mode): a formula is refused naming its cell, and reading stops at the importer's row limit
instead of parsing the rest. The header row is matched ignoring case and punctuation.

Each importer passes its own `Limits` and `Columns`; the refusals are worded once, here.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from grants.archives import ArchiveLimits, ArchiveRefused, check_archive
from grants.money import MoneyError, parse_money

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
# What an XLSX may unpack to in all (a real export compresses its text XML about 5 to 20
# times; a ZIP bomb a thousand times or more), and each member's ratio.
MAX_UNCOMPRESSED = 50 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 200
# A part is judged by its ratio from this size: openpyxl parses a sheet's XML, so a
# workbook's bomb is refused small (a real sheet of a few rows may still compress well).
RATIO_FLOOR = 64 * 1024
# Blank rows are skipped but still read: a file may hold this many more rows than its limit.
MAX_BLANK_ROWS = 5_000
MAX_COLUMNS = 40
CHUNK = 64 * 1024
FORMULA_STARTS = ("=",)


@dataclass(frozen=True)
class Limits:
    """What one importer accepts."""

    max_rows: int  # rows of data under the header (blank rows not counted)
    max_bytes: int = MAX_BYTES
    max_uncompressed: int = MAX_UNCOMPRESSED
    max_ratio: int = MAX_RATIO
    max_members: int = MAX_MEMBERS
    max_blank_rows: int = MAX_BLANK_ROWS

    @property
    def archive(self) -> ArchiveLimits:
        """What a workbook (a ZIP) may hold (grants.archives)."""
        return ArchiveLimits(
            max_parts=self.max_members,
            max_unpacked=self.max_uncompressed,
            max_ratio=self.max_ratio,
            ratio_floor=RATIO_FLOOR,
            noun="workbook",
            refused="it was not opened",
            too_large="split it into smaller files",
        )


@dataclass(frozen=True)
class Columns:
    """The columns one importer reads: field -> the headers that name it (the first as
    its template writes it). Matching ignores case and punctuation."""

    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    # A column the importer does not read: refused (the ledger, whose template is the
    # contract) or ignored (exports from other systems carry extra columns).
    refuse_unknown: bool = False
    missing_hint: str = ""  # a sentence after the missing columns' names
    noun: str = "rows"  # what a row of data is, in the row-limit refusal
    sheet: str = ""  # the sheet to read when the workbook has it; otherwise the first

    def keys(self) -> dict[str, str]:
        return {
            header_key(name): name_of
            for name_of, names in self.headers.items()
            for name in (*names, name_of)
        }


# --- Refusals -------------------------------------------------------------------------


@dataclass(frozen=True)
class CellError:
    row: int  # the spreadsheet's row number; 0 for the whole file
    column: str  # letter, or "" for the whole row or file
    header: str
    message: str

    def __str__(self) -> str:
        if self.row == 0:
            return self.message
        where = f"Row {self.row}"
        if self.column:
            where += f", column {self.column}"
            if self.header:
                where += f" ({self.header})"
        return f"{where}: {self.message}"


class ImportRefused(Exception):
    """The file is refused: every problem, each naming its row and column."""

    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def file_refused(message: str) -> ImportRefused:
    return ImportRefused([CellError(0, "", "", message)])


def size_refused(limits: Limits | None = None) -> ImportRefused:
    limit = (limits.max_bytes if limits else MAX_BYTES) // (1024 * 1024)
    return file_refused(f"The file is larger than {limit} MB; split it into smaller files.")


# --- The file as a file -------------------------------------------------------------

# First bytes of files people upload by mistake, to say what the file is.
SIGNATURES = (
    (b"PK\x03\x04", "a ZIP archive or an XLSX workbook"),
    (b"\xd0\xcf\x11\xe0", "an Excel 97–2003 (.xls) workbook; save it as .xlsx"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF8", "a GIF image"),
)


def _looks_like(content: bytes) -> str:
    for start, what in SIGNATURES:
        if content.startswith(start):
            return what
    return ""


def _check_zip(content: bytes, limits: Limits) -> None:
    """Refuse a workbook that would unpack to too much, or whose XML declares a DOCTYPE
    or entities (XXE, entity expansion), before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = check_archive(archive, limits.archive)
    except (zipfile.BadZipFile, OSError, ValueError):
        raise file_refused("The file is named .xlsx but is not an XLSX workbook.") from None
    except ArchiveRefused as refused:
        raise file_refused(str(refused)) from None
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            _check_xml(archive, member)


DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    # The zip reader stops at the part's declared size (whose total _check_zip has
    # limited), so only the content is checked here.
    first, tail = True, b""
    try:
        with archive.open(member) as part:
            while chunk := part.read(CHUNK):
                if first and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise file_refused(f"The workbook's part {member.filename} is not UTF-8 XML.")
                if DECLARATIONS.search(tail + chunk):
                    raise file_refused(
                        f"The workbook's part {member.filename} declares a DOCTYPE or "
                        "entities, which a spreadsheet does not need; it was not opened."
                    )
                first, tail = False, chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise file_refused("The workbook is damaged and could not be read.") from None


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: refused, since its value is not in the file."""

    text: str


def _cell_value(cell):
    value = getattr(cell, "value", None)
    if getattr(cell, "data_type", "") == "f" or (
        isinstance(value, str) and value.startswith(FORMULA_STARTS)
    ):
        return Formula(str(value))
    return value


def _text_or_binary(content: bytes) -> str:
    return (
        "text, not a workbook (is it a CSV file? name it .csv)"
        if b"\0" not in content[:4096]
        else "not a workbook"
    )


def _xlsx_rows(content: bytes, limits: Limits, sheet_name: str) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the named sheet or the first, streamed."""
    if not content.startswith(b"PK\x03\x04"):
        what = _looks_like(content) or _text_or_binary(content)
        raise file_refused(f"The file is named .xlsx but is {what}.")
    _check_zip(content, limits)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise file_refused("The file could not be read as an XLSX workbook.") from None
    try:
        sheet = (
            workbook[sheet_name] if sheet_name in workbook.sheetnames else workbook.worksheets[0]
        )
        # The file's own dimensions may claim a million rows: read the rows it holds.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            yield number, [_cell_value(cell) for cell in cells]
    except ImportRefused:
        raise
    except Exception:
        raise file_refused("The workbook is damaged and could not be read.") from None
    finally:
        workbook.close()


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    what = _looks_like(content)
    if what or b"\0" in content:
        raise file_refused(f"The file is named .csv but is {what or 'not text'}.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise file_refused(
            f"The CSV file is not UTF-8 text (byte {error.start + 1} is not UTF-8). Save it "
            "as “CSV UTF-8” and upload it again."
        ) from None
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield (
                number,
                [
                    Formula(cell.strip()) if cell.strip().startswith(FORMULA_STARTS) else cell
                    for cell in cells[:MAX_COLUMNS]
                ],
            )
    except csv.Error as error:
        raise file_refused(f"The CSV file could not be read: {error}.") from None


# --- The table ------------------------------------------------------------------------


@dataclass
class Table:
    """The rows of a file under its header, each as its values by field."""

    header_line: int
    # field -> (column letter, the file's own header)
    where: dict[str, tuple[str, str]]
    rows: list[tuple[int, dict]] = field(default_factory=list)

    def error(self, line: int, name: str, message: str) -> CellError:
        letter, header = self.where.get(name, ("", ""))
        return CellError(line, letter, header, message)


def read_table(name: str, content: bytes, *, columns: Columns, limits: Limits) -> Table:
    """The rows of an uploaded .xlsx (the `columns.sheet` sheet, else the first) or .csv
    file with data in the importer's columns, or ImportRefused saying why not.

    The header is the first row that is not blank; rows blank in every column read are
    skipped. Cells keep their types (XLSX dates as datetimes, numbers as numbers; CSV
    cells as text)."""
    if not content:
        raise file_refused("The file is empty.")
    if len(content) > limits.max_bytes:
        raise size_refused(limits)
    lower = (name or "").lower()
    if lower.endswith(".csv"):
        lines = _csv_rows(content)
    elif lower.endswith(".xlsx"):
        lines = _xlsx_rows(content, limits, columns.sheet)
    else:
        raise file_refused("Upload an .xlsx or .csv file.")
    header_row = next((row for row in lines if not all(blank(v) for v in row[1])), None)
    if header_row is None:
        raise file_refused("The file is empty.")
    header_line, header = header_row
    keys = columns.keys()
    found: dict[str, int] = {}
    errors: list[CellError] = []
    for index, cell in enumerate(header):
        letter = get_column_letter(index + 1)
        if isinstance(cell, Formula):
            raise ImportRefused(
                [CellError(header_line, letter, "", "holds a formula; paste values instead.")]
            )
        if blank(cell):
            continue
        name_of = keys.get(header_key(cell))
        if name_of is None:
            if columns.refuse_unknown:
                errors.append(
                    CellError(
                        header_line,
                        letter,
                        shown(cell),
                        "this column is not one the import reads; remove it or rename it "
                        "(the template lists the columns).",
                    )
                )
        elif name_of in found:
            if columns.refuse_unknown:
                errors.append(
                    CellError(
                        header_line,
                        letter,
                        shown(cell),
                        f"a second {columns.headers[name_of][0]} column.",
                    )
                )
        else:
            found[name_of] = index
    missing = [columns.headers[f][0] for f in columns.required if f not in found]
    if missing:
        hint = f" {columns.missing_hint}" if columns.missing_hint else ""
        raise file_refused(
            f"Row {header_line} must name the columns; missing: {', '.join(missing)}.{hint}"
        )
    if errors:
        raise ImportRefused(errors)
    table = Table(
        header_line,
        {f: (get_column_letter(i + 1), shown(header[i])) for f, i in found.items()},
    )
    titles = {i: shown(cell) for i, cell in enumerate(header) if not blank(cell)}
    for line, row in lines:
        if line - header_line > limits.max_rows + limits.max_blank_rows:
            raise file_refused(
                f"The file has more than {limits.max_rows + limits.max_blank_rows:,} rows, "
                "blank ones included; split it into smaller files."
            )
        for index, value in enumerate(row):
            if isinstance(value, Formula):
                raise ImportRefused(
                    [
                        CellError(
                            line,
                            get_column_letter(index + 1),
                            titles.get(index, ""),
                            "holds a formula; paste values instead.",
                        )
                    ]
                )
        values = {f: (row[i] if i < len(row) else None) for f, i in found.items()}
        if all(blank(v) for v in values.values()):
            continue
        if len(table.rows) == limits.max_rows:
            raise file_refused(
                f"The file has more than {limits.max_rows:,} {columns.noun}; "
                "split it into smaller files."
            )
        table.rows.append((line, values))
    return table


# --- Cells ----------------------------------------------------------------------------


def header_key(header) -> str:
    """A header (or a value) as matched: case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


def blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def shown(value) -> str:
    return str(value).strip()


def cell_date(value) -> date:
    """A date cell, or text written YYYY-MM-DD or MM/DD/YYYY; ValueError saying why not."""
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(f"{value:%m/%d/%Y %H:%M} has a time of day; give the date only")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        raise ValueError(
            f"{value:g} is a number, not a date; format the cell as a date or write it as 2026-03-04"
        )
    text = shown(value)
    for pattern, order in (
        (r"(\d{4})-(\d{1,2})-(\d{1,2})", "ymd"),
        (r"(\d{1,2})/(\d{1,2})/(\d{4})", "mdy"),
    ):
        match = re.fullmatch(pattern, text)
        if match:
            parts = dict(zip(order, map(int, match.groups()), strict=True))
            try:
                return date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise ValueError(f"“{text}” is not a day of the calendar") from None
    raise ValueError(f"“{text}” is not a date; write it as 2026-03-04 or 03/04/2026")


def cell_amount(value, *, positive: bool = True) -> Decimal:
    """An amount cell (a number, or text such as $1,234.50); ValueError saying why not."""
    if isinstance(value, bool):
        raise ValueError(f"{value} is not an amount")
    if isinstance(value, float):
        value = repr(value)  # the shortest text of the number the cell holds
    elif not isinstance(value, str):
        value = str(value)
    try:
        return parse_money(value, positive=positive)
    except MoneyError as error:
        raise ValueError(str(error)) from None
