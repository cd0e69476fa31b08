"""Reading a file of ledger entries a finance officer exports from their accounting system.

The file (XLSX or CSV, the columns of `COLUMNS`; docs/ledger-import.md) is read by
budgets.upload_rows, which checks it as a file before any of it is parsed (size, type by
content, ZIP bomb, DOCTYPE/ENTITY, formulas, at most MAX_ROWS entries, streamed). Every cell is then read into a BatchRow; a formula, a blank required cell, an unknown
kind, a bad amount or date, a reference given twice is a CellError naming its row and
column. Any error refuses the whole file: nothing is posted.

The posting engine (budgets.ledger_batch) checks the rows against the ledger; its
RowErrors name a BatchRow field, which `cell_errors` maps back to the file's own column.
"""

from dataclasses import dataclass

from budgets.kinds import KINDS, InKindBasis, Share
from budgets.ledger import RECORDABLE_KINDS
from budgets.ledger_batch import BatchRow, RowError
from budgets.models import Category
from budgets.upload_rows import (
    CellError,
    Columns,
    ImportRefused,
    Limits,
    blank,
    cell_amount,
    cell_date,
    file_refused,
    header_key,
    read_table,
    shown,
)
from grants.models import Award

__all__ = ["CellError", "ImportRefused", "LedgerFile", "cell_errors", "read_ledger_file"]

# The limits, read when a file is (budgets.upload_rows holds the checks themselves).
MAX_BYTES = 5 * 1024 * 1024  # the upload itself
MAX_ROWS = 20_000  # rows of entries; the reader stops at the next one
# A ledger export is larger than other uploads: it may unpack to this much.
MAX_UNCOMPRESSED = 100 * 1024 * 1024


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


_key = header_key


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


# --- Cells ----------------------------------------------------------------------------


def _choice(keys: dict[str, str], value, what: str, allowed: list[str] | str) -> str:
    code = keys.get(_key(value))
    if code is None:
        hint = allowed if isinstance(allowed, str) else f"use one of: {', '.join(allowed)}"
        raise ValueError(f"“{shown(value)}” is not {what}; {hint}")
    return code


def _text(field: str, value) -> str:
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a document number typed as a number: 1042, not 1042.0
    text = shown(value)
    limit = TEXT_LIMITS.get(field)
    if limit and len(text) > limit:
        raise ValueError(f"the text is {len(text)} characters long; at most {limit} fit")
    return text


KIND_NAMES = [KINDS[code].label for code in RECORDABLE_KINDS]
SHARE_NAMES = ["federal", "non-federal"]


def _parse_cell(field: str, value):
    if field in ("effective_date", "paid_on"):
        return cell_date(value)
    if field == "amount":
        return cell_amount(value)
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


def _columns() -> Columns:
    return Columns(
        headers={c.field: (c.header, *c.aliases) for c in COLUMNS},
        required=tuple(c.field for c in COLUMNS if c.required),
        refuse_unknown=True,
        missing_hint="Download the template for the columns the file needs.",
        noun="entries",
        sheet="Entries",
    )


def read_ledger_file(name: str, content: bytes, *, award: Award) -> LedgerFile:
    """The rows of an uploaded ledger file for `award`, or ImportRefused listing every
    problem found (each cell's, or the one that stopped the file being read)."""
    table = read_table(
        name,
        content,
        columns=_columns(),
        limits=Limits(max_rows=MAX_ROWS, max_bytes=MAX_BYTES, max_uncompressed=MAX_UNCOMPRESSED),
    )
    where = table.where
    errors: list[CellError] = []
    parsed: list[BatchRow] = []
    seen: dict[str, int] = {}
    for line, values in table.rows:
        fields = {}
        for field, value in values.items():
            if blank(value):
                if BY_FIELD[field].required:
                    errors.append(table.error(line, field, "the cell is empty."))
                continue
            try:
                fields[field] = _parse_cell(field, value)
            except ValueError as problem:
                errors.append(table.error(line, field, f"{problem}."))
        number = fields.pop("award_number", "")
        if number and number != award.award_number:
            errors.append(
                table.error(
                    line,
                    "award_number",
                    f"this file is for award {number}; upload it on that award's page "
                    f"(this is {award.award_number}).",
                )
            )
        reference = fields.get("reference")
        if reference:
            if reference in seen:
                errors.append(
                    table.error(
                        line,
                        "reference",
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
        raise file_refused("The file has no entries under its header row.")
    return LedgerFile(rows=parsed, columns=where)
