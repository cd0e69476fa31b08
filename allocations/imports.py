"""Reading factor data from an uploaded XLSX or CSV file.

Every problem is reported with its cell ("Row 4, column C (Population): ...") and all of
them are collected before anything is saved; the service then saves the whole file or
nothing. The columns are the ones the factor-data download writes, so a downloaded file
can be edited and uploaded again.
"""

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from openpyxl.utils import get_column_letter

from allocations.formula import FACTORS
from allocations.services import FactorValues
from grants.models import TaskForce

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 2000

# Header (as the download writes it) -> field. Matching ignores case and punctuation.
COLUMNS = {
    "Task force code": "code",
    "Population": "population",
    "Investigative leads": "leads",
    "Cases referred": "cases_referred",
    "Successful prosecutions": "prosecutions",
    "Training and outreach": "training",
    "Need score": "need_score",
}


def _key(header) -> str:
    return re.sub(r"[^a-z0-9]+", " ", str(header or "").lower()).strip()


HEADER_KEYS = {_key(header): field for header, field in COLUMNS.items()}
HEADER_KEYS.update({_key(field): field for field in COLUMNS.values()})


@dataclass(frozen=True)
class CellError:
    row: int
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


def _file_error(message: str) -> ImportRefused:
    return ImportRefused([CellError(0, "", "", message)])


def _rows(name: str, content: bytes) -> list[list]:
    lower = name.lower()
    if lower.endswith(".csv"):
        try:
            text = content.decode("utf-8-sig")
        except UnicodeDecodeError:
            raise _file_error("The CSV file is not UTF-8 text.") from None
        return [row for row in csv.reader(io.StringIO(text))]
    if lower.endswith(".xlsx"):
        try:
            workbook = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception:  # openpyxl raises many kinds for a file that is not a workbook
            raise _file_error("The file could not be read as an XLSX workbook.") from None
        try:
            sheet = workbook.worksheets[0]
            return [list(row) for row in sheet.iter_rows(values_only=True)]
        finally:
            workbook.close()
    raise _file_error("Upload an .xlsx or .csv file.")


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _whole_number(value) -> int:
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a number")
    if isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not value.is_integer():
            raise ValueError(f"{value:g} is not a whole number")
        number = int(value)
    else:
        text = str(value).strip().replace(",", "")
        if not re.fullmatch(r"-?[0-9]+", text):
            raise ValueError(f"“{str(value).strip()}” is not a whole number")
        number = int(text)
    if number < 0:
        raise ValueError(f"{number} is negative; enter zero or more")
    return number


def _need_score(value) -> Decimal:
    if isinstance(value, bool):
        raise ValueError(f"{value} is not a number")
    text = repr(value) if isinstance(value, float) else str(value).strip().replace(",", "")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise ValueError(f"“{str(value).strip()}” is not a number") from None
    if not number.is_finite():
        raise ValueError(f"“{str(value).strip()}” is not a number")
    if number != number.quantize(Decimal("0.01")):
        raise ValueError(f"{value} has more than 2 decimal places")
    if number < 0:
        raise ValueError(f"{value} is negative; enter zero or more")
    if abs(number) >= Decimal("1E12"):
        raise ValueError(f"{value} is too large")
    return number.quantize(Decimal("0.01"))


def parse_factor_file(name: str, content: bytes) -> list[FactorValues]:
    """The rows of an uploaded factor-data file, or ImportRefused listing every problem."""
    if len(content) > MAX_BYTES:
        raise _file_error(f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    rows = _rows(name, content)
    if not rows:
        raise _file_error("The file is empty.")
    header = rows[0]
    columns: dict[str, int] = {}
    for index, cell in enumerate(header):
        field = HEADER_KEYS.get(_key(cell))
        if field and field not in columns:
            columns[field] = index
    missing = [h for h, f in COLUMNS.items() if f not in columns]
    if missing:
        raise _file_error("Row 1 must name the columns; missing: " + ", ".join(missing) + ".")
    headers = {field: header for header, field in COLUMNS.items()}
    task_forces = {t.code: t for t in TaskForce.objects.all()}
    errors: list[CellError] = []
    parsed: list[FactorValues] = []
    seen: dict[str, int] = {}
    data = rows[1:]
    if len(data) > MAX_ROWS:
        raise _file_error(f"The file has more than {MAX_ROWS} rows.")
    for number, row in enumerate(data, start=2):
        row = list(row) + [None] * (len(header) - len(row))
        if all(_blank(v) for v in row):
            continue

        def error(field: str, message: str, number=number) -> None:
            errors.append(
                CellError(number, get_column_letter(columns[field] + 1), headers[field], message)
            )

        code_value = row[columns["code"]]
        code = "" if _blank(code_value) else str(code_value).strip()
        task_force = task_forces.get(code)
        if not code:
            error("code", "the task force code is empty.")
        elif task_force is None:
            error("code", f"no task force has the code “{code}”.")
        elif code in seen:
            error("code", f"{code} appears again (first on row {seen[code]}).")
        else:
            seen[code] = number
        values = {}
        for field in (*FACTORS, "need_score"):
            value = row[columns[field]]
            if _blank(value):
                error(field, "the cell is empty; enter 0 if there is none.")
                continue
            try:
                values[field] = (
                    _need_score(value) if field == "need_score" else _whole_number(value)
                )
            except ValueError as problem:
                error(field, f"{problem}.")
        if task_force is not None and len(values) == len(FACTORS) + 1:
            parsed.append(FactorValues(task_force, values))
    if errors:
        raise ImportRefused(errors)
    if not parsed:
        raise _file_error("The file has no rows of factor data under its header.")
    return parsed
