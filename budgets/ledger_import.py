"""Reading a file of ledger entries a finance officer exports from their accounting system.

The file (XLSX or CSV, the columns of `COLUMNS`; docs/ledger-import.md) is checked as a
file before any of it is parsed, because a spreadsheet is a ZIP of XML that a hostile or
broken file can make expensive: its size, its type by its first bytes (not its name), the
uncompressed size and compression ratio of each ZIP member, no DOCTYPE or ENTITY in any
XML part (openpyxl parses with defusedxml as well), at most MAX_ROWS rows read, streamed.
Every cell is then read into a BatchRow; a formula, a blank required cell, an unknown
kind, a bad amount or date, a reference given twice is a CellError naming its row and
column. Any error refuses the whole file: nothing is posted.

The posting engine (budgets.ledger_batch) checks the rows against the ledger; its
RowErrors name a BatchRow field, which `cell_errors` maps back to the file's own column.
"""

import csv
import io
import re
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from budgets.kinds import KINDS, InKindBasis, Share
from budgets.ledger import RECORDABLE_KINDS
from budgets.ledger_batch import BatchRow, RowError
from budgets.models import Category
from grants.models import Award
from grants.money import MoneyError, parse_money

MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_ROWS = 20_000  # rows of entries; the reader stops at the next one
# Blank rows are skipped but still read: a file may hold this many rows in all.
MAX_ROWS_READ = MAX_ROWS + 5_000
MAX_COLUMNS = 40
# What an XLSX may unpack to, in all and per member (a real export compresses text XML
# about 5 to 20 times; a ZIP bomb a thousand times or more).
MAX_UNCOMPRESSED = 100 * 1024 * 1024
MAX_RATIO = 200
MAX_MEMBERS = 200
CHUNK = 64 * 1024


@dataclass(frozen=True)
class Column:
    field: str  # a BatchRow field, or "award_number"
    header: str  # as the template writes it
    required: bool
    meaning: str
    format: str
    aliases: tuple[str, ...] = ()


COLUMNS = (
    Column(
        "reference",
        "Reference",
        True,
        "Your accounting system's document number for the entry (voucher, check, "
        "journal). Unique on this award: a row whose reference is already on the ledger "
        "is not posted again.",
        "Text, up to 64 characters.",
        ("document number", "ref"),
    ),
    Column(
        "kind",
        "Kind",
        True,
        "What the entry records.",
        "One of the kinds, by name or code.",
        ("entry kind", "type"),
    ),
    Column(
        "effective_date",
        "Date",
        True,
        "When it happened: for an expenditure the date incurred, for an obligation the "
        "date obligated, for a disbursement the date paid out.",
        "A date cell, or text as 2026-03-04 or 03/04/2026.",
        ("date incurred", "effective date", "incurred"),
    ),
    Column(
        "amount",
        "Amount",
        True,
        "The amount in dollars, more than zero.",
        "A number, or text such as $1,234.50; at most 2 decimal places.",
    ),
    Column(
        "category",
        "Category",
        False,
        "The budget category of an obligation or expenditure (blank for other kinds).",
        "The letter (A–J) or the category's name.",
        ("budget category",),
    ),
    Column(
        "share",
        "Share",
        False,
        "Whose money: federal, or the recipient's match (non-federal). Blank is federal; "
        "a disbursement takes the share of the expenditure it pays.",
        "federal, or non-federal (also: recipient, match).",
    ),
    Column(
        "pays",
        "Pays reference",
        False,
        "The Reference of the entry this one pays: the obligation an expenditure "
        "liquidates, or the expenditure a disbursement pays. Earlier in the file or "
        "already on the ledger.",
        "A Reference.",
        ("pays",),
    ),
    Column(
        "paid_on",
        "Date paid",
        False,
        "For an expenditure paid in full: the day it was paid (its disbursement is "
        "recorded with it).",
        "A date, as the Date column.",
        ("paid on",),
    ),
    Column(
        "in_kind_basis",
        "In-kind basis",
        False,
        "For a match contribution given in kind rather than paid: how its value was reached.",
        "One of the valuation bases, by name or code.",
    ),
    Column(
        "in_kind_description",
        "In-kind description",
        False,
        "For an in-kind contribution: what was given and how it was valued.",
        "Text, up to 500 characters.",
    ),
    Column(
        "memo",
        "Memo",
        False,
        "A note; required (as the reason) for cash returned and interest remitted.",
        "Text, up to 500 characters.",
        ("description", "note", "reason"),
    ),
    Column(
        "award_number",
        "Award",
        False,
        "Optional: the award number. A file naming another award is refused.",
        "This award's number.",
        ("award number",),
    ),
)
BY_FIELD = {column.field: column for column in COLUMNS}
TEXT_LIMITS = {"reference": 64, "memo": 500, "in_kind_description": 500, "pays": 64}


def _key(text) -> str:
    """A header or a value as compared: case, punctuation and spacing ignored."""
    return re.sub(r"[^a-z0-9]+", " ", str(text or "").lower()).strip()


HEADER_KEYS = {
    _key(name): column.field
    for column in COLUMNS
    for name in (column.header, column.field, *column.aliases)
}
KIND_KEYS = {
    _key(name): code
    for code in RECORDABLE_KINDS
    for name in (code, KINDS[code].label, KINDS[code].label + "s")
}
CATEGORY_KEYS = {
    **{_key(label): code for code, label in Category.choices},
    **{_key(label.split(". ", 1)[1]): code for code, label in Category.choices},
    **{_key(code): code for code in Category.values},
}
SHARE_KEYS = {
    **{_key(name): Share.FEDERAL for name in ("federal", "fed")},
    **{
        _key(name): Share.RECIPIENT
        for name in ("recipient", "recipient (match)", "non-federal", "nonfederal", "match")
    },
}
BASIS_KEYS = {
    **{_key(code): code for code in InKindBasis.values},
    **{_key(label): code for code, label in InKindBasis.choices},
}


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
            where += f", column {self.column} ({self.header})"
        return f"{where}: {self.message}"


class ImportRefused(Exception):
    def __init__(self, errors: list[CellError]):
        self.errors = errors
        super().__init__("; ".join(str(e) for e in errors))


def _refused(message: str) -> ImportRefused:
    return ImportRefused([CellError(0, "", "", message)])


@dataclass
class LedgerFile:
    """The rows of a file, and where each field's column is in it (for its messages)."""

    rows: list[BatchRow]
    columns: dict[str, tuple[str, str]]  # field -> (letter, the file's own header)

    def cell_errors(self, errors: list[RowError]) -> list[CellError]:
        return cell_errors(errors, self.columns)


def cell_errors(errors: list[RowError], columns: dict[str, tuple[str, str]]) -> list[CellError]:
    """The engine's RowErrors as the file's cells: its field's column letter and header.
    A field the file has no column for (a category the row left out) names the row only."""
    cells = []
    for error in errors:
        letter, header = columns.get(error.field, ("", ""))
        cells.append(CellError(error.line, letter, header, error.message))
    return cells


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


def _check_zip(content: bytes) -> None:
    """Refuse a workbook that would unpack to too much, or whose XML declares a DOCTYPE
    or entities (XXE, entity expansion), before openpyxl opens it."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(content))
        members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise _refused("The file is named .xlsx but is not an XLSX workbook.") from None
    if len(members) > MAX_MEMBERS:
        raise _refused("The workbook holds too many parts to be a ledger export.")
    if sum(member.file_size for member in members) > MAX_UNCOMPRESSED:
        raise _refused(
            f"The workbook would unpack to more than {MAX_UNCOMPRESSED // (1024 * 1024)} MB; "
            "split it into smaller files."
        )
    for member in members:
        if member.file_size > MAX_RATIO * max(member.compress_size, 1) and member.file_size > CHUNK:
            raise _refused(
                f"The workbook's part {member.filename} is compressed more than "
                f"{MAX_RATIO} to 1, as a ZIP bomb is; it was not opened."
            )
    for member in members:
        if member.filename.endswith((".xml", ".rels", ".vml")):
            _check_xml(archive, member)


DECLARATIONS = re.compile(rb"<!\s*(DOCTYPE|ENTITY)", re.IGNORECASE)


def _check_xml(archive: zipfile.ZipFile, member: zipfile.ZipInfo) -> None:
    read, tail = 0, b""
    try:
        with archive.open(member) as part:
            while chunk := part.read(CHUNK):
                read += len(chunk)
                if read > MAX_UNCOMPRESSED:
                    raise _refused("The workbook unpacks to more than its parts declare.")
                if read == len(chunk) and chunk.startswith((b"\xff\xfe", b"\xfe\xff")):
                    raise _refused(f"The workbook's part {member.filename} is not UTF-8 XML.")
                if DECLARATIONS.search(tail + chunk):
                    raise _refused(
                        f"The workbook's part {member.filename} declares a DOCTYPE or "
                        "entities, which a spreadsheet does not need; it was not opened."
                    )
                tail = chunk[-16:]
    except (zipfile.BadZipFile, OSError, EOFError, NotImplementedError, RuntimeError):
        raise _refused("The workbook is damaged and could not be read.") from None


def _xlsx_rows(content: bytes) -> Iterator[tuple[int, list]]:
    """(row number, cells) of the first sheet ("Entries" if there is one), streamed."""
    if not content.startswith(b"PK\x03\x04"):
        what = _looks_like(content) or _text_or_binary(content)
        raise _refused(f"The file is named .xlsx but is {what}.")
    _check_zip(content)
    try:
        workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=False)
    except Exception:  # openpyxl raises many kinds for a file that is not a workbook
        raise _refused("The file could not be read as an XLSX workbook.") from None
    try:
        sheet = workbook["Entries"] if "Entries" in workbook.sheetnames else workbook.worksheets[0]
        # The file's own dimensions may claim a million rows: read the rows it holds.
        sheet.reset_dimensions()
        for number, cells in enumerate(sheet.iter_rows(max_col=MAX_COLUMNS), start=1):
            yield number, [_cell_value(cell) for cell in cells]
    except ImportRefused:
        raise
    except Exception:
        raise _refused("The workbook is damaged and could not be read.") from None
    finally:
        workbook.close()


@dataclass(frozen=True)
class Formula:
    """A cell that holds a formula: refused, since its value is not in the file."""

    text: str


def _cell_value(cell):
    if getattr(cell, "data_type", "") == "f":
        return Formula(str(cell.value))
    return cell.value


def _text_or_binary(content: bytes) -> str:
    return (
        "text, not a workbook (is it a CSV file? name it .csv)"
        if b"\0" not in content[:4096]
        else "not a workbook"
    )


def _csv_rows(content: bytes) -> Iterator[tuple[int, list]]:
    what = _looks_like(content)
    if what or b"\0" in content:
        raise _refused(f"The file is named .csv but is {what or 'not text'}.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise _refused(
            f"The CSV file is not UTF-8 text (byte {error.start + 1} is not UTF-8). Save it "
            "as “CSV UTF-8” and upload it again."
        ) from None
    try:
        for number, cells in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            yield number, cells[:MAX_COLUMNS]
    except csv.Error as error:
        raise _refused(f"The CSV file could not be read: {error}.") from None


# --- Cells ----------------------------------------------------------------------------


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _shown(value) -> str:
    return str(value).strip()


def _date(value) -> date:
    if isinstance(value, datetime):
        if value.time() != datetime.min.time():
            raise ValueError(f"{value:%m/%d/%Y %H:%M} has a time of day; give the date only")
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, (int, float)):
        raise ValueError(
            f"{value:g} is a number, not a date; format the cell as a date or write it as 2026-03-04"
        )
    text = _shown(value)
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


def _amount(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value} is not an amount")
    if isinstance(value, float):
        value = repr(value)  # the shortest text of the number the cell holds
    elif isinstance(value, int):
        value = str(value)
    try:
        return parse_money(value if isinstance(value, str) else str(value), positive=True)
    except MoneyError as error:
        raise ValueError(str(error)) from None


def _choice(keys: dict[str, str], value, what: str, allowed: list[str] | str) -> str:
    code = keys.get(_key(value))
    if code is None:
        hint = allowed if isinstance(allowed, str) else f"use one of: {', '.join(allowed)}"
        raise ValueError(f"“{_shown(value)}” is not {what}; {hint}")
    return code


def _text(field: str, value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a document number typed as a number: 1042, not 1042.0
    text = _shown(value)
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        raise ValueError(f"the text is {len(text)} characters long; at most {limit} fit")
    return text


KIND_NAMES = [KINDS[code].label for code in RECORDABLE_KINDS]
SHARE_NAMES = ["federal", "non-federal"]


def _parse_cell(field: str, value):
    if field in ("effective_date", "paid_on"):
        return _date(value)
    if field == "amount":
        return _amount(value)
    if field == "kind":
        return _choice(KIND_KEYS, value, "a kind of entry", KIND_NAMES)
    if field == "category":
        return _choice(
            CATEGORY_KEYS, value, "a budget category", "write its letter (A–J) or its name"
        )
    if field == "share":
        return _choice(SHARE_KEYS, value, "a share", SHARE_NAMES)
    if field == "in_kind_basis":
        return _choice(BASIS_KEYS, value, "a valuation basis", list(InKindBasis.values))
    return _text(field, value)


# --- The file -------------------------------------------------------------------------


def read_ledger_file(name: str, content: bytes, *, award: Award) -> LedgerFile:
    """The rows of an uploaded ledger file for `award`, or ImportRefused listing every
    problem found (each cell's, or the one that stopped the file being read)."""
    if not content:
        raise _refused("The file is empty.")
    if len(content) > MAX_BYTES:
        raise _refused(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB; split it into smaller files."
        )
    lower = name.lower()
    if lower.endswith(".csv"):
        rows = _csv_rows(content)
    elif lower.endswith(".xlsx"):
        rows = _xlsx_rows(content)
    else:
        raise _refused("Upload an .xlsx or .csv file.")
    header_row = next((row for row in rows if not all(_blank(v) for v in row[1])), None)
    if header_row is None:
        raise _refused("The file is empty.")
    header_line, header = header_row
    columns: dict[str, int] = {}
    errors: list[CellError] = []
    for index, cell in enumerate(header):
        if isinstance(cell, Formula) or _blank(cell):
            continue
        field = HEADER_KEYS.get(_key(cell))
        if field is None:
            errors.append(
                CellError(
                    header_line,
                    get_column_letter(index + 1),
                    _shown(cell),
                    "this column is not one the import reads; remove it or rename it "
                    "(the template lists the columns).",
                )
            )
        elif field in columns:
            errors.append(
                CellError(
                    header_line,
                    get_column_letter(index + 1),
                    _shown(cell),
                    f"a second {BY_FIELD[field].header} column.",
                )
            )
        else:
            columns[field] = index
    missing = [c.header for c in COLUMNS if c.required and c.field not in columns]
    if missing:
        raise _refused(
            f"Row {header_line} must name the columns; missing: {', '.join(missing)}. "
            "Download the template for the columns the file needs."
        )
    if errors:
        raise ImportRefused(errors)
    where = {
        field: (get_column_letter(index + 1), _shown(header[index]))
        for field, index in columns.items()
    }
    parsed: list[BatchRow] = []
    seen: dict[str, int] = {}
    entries = 0
    for line, row in rows:
        if line - header_line > MAX_ROWS_READ:
            raise _refused(
                f"The file has more than {MAX_ROWS_READ:,} rows; split it into smaller files."
            )
        values = {
            field: (row[index] if index < len(row) else None) for field, index in columns.items()
        }
        if all(_blank(v) for v in values.values()):
            continue
        entries += 1
        if entries > MAX_ROWS:
            raise _refused(
                f"The file has more than {MAX_ROWS:,} entries; split it into smaller files."
            )
        fields = {}
        for field, value in values.items():
            letter, header_text = where[field]

            def error(message: str, line=line, letter=letter, header_text=header_text) -> None:
                errors.append(CellError(line, letter, header_text, message))

            if isinstance(value, Formula):
                error("holds a formula; paste values instead.")
                continue
            if _blank(value):
                if BY_FIELD[field].required:
                    error("the cell is empty.")
                continue
            try:
                fields[field] = _parse_cell(field, value)
            except ValueError as problem:
                error(f"{problem}.")
        number = fields.pop("award_number", "")
        if number and number != award.award_number:
            letter, header_text = where["award_number"]
            errors.append(
                CellError(
                    line,
                    letter,
                    header_text,
                    f"this file is for award {number}; upload it on that award's page "
                    f"(this is {award.award_number}).",
                )
            )
        reference = fields.get("reference")
        if reference:
            if reference in seen:
                letter, header_text = where["reference"]
                errors.append(
                    CellError(
                        line,
                        letter,
                        header_text,
                        f"{reference} appears again (first on row {seen[reference]}); "
                        "each entry needs its own reference.",
                    )
                )
            else:
                seen[reference] = line
        if all(fields.get(f) for f in ("reference", "kind", "effective_date", "amount")):
            parsed.append(BatchRow(line=line, **fields))
    if errors:
        raise ImportRefused(errors)
    if not parsed:
        raise _refused("The file has no entries under its header row.")
    return LedgerFile(rows=parsed, columns=where)
