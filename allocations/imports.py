"""Reading factor data from an uploaded XLSX or CSV file.

Every problem is reported with its cell ("Row 4, column C (Population): ...") and all of
them are collected before anything is saved; the service then saves the whole file or
nothing. The columns are the ones the factor-data download writes, so a downloaded file
can be edited and uploaded again. The file itself is read, and checked as a file, by
budgets.upload_rows.
"""

import re
from decimal import Decimal, InvalidOperation

from allocations.formula import FACTORS
from allocations.services import FactorValues
from budgets.upload_rows import (
    CellError,
    Columns,
    ImportRefused,
    Limits,
    blank,
    file_refused,
    read_table,
)
from grants.models import TaskForce

__all__ = ["CellError", "ImportRefused", "parse_factor_file"]

MAX_ROWS = 2000
LIMITS = Limits(max_rows=MAX_ROWS)

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
READ = Columns(
    headers={field: (header,) for header, field in COLUMNS.items()},
    required=tuple(COLUMNS.values()),
)


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
    table = read_table(name, content, columns=READ, limits=LIMITS)
    headers = {field: header for header, field in COLUMNS.items()}
    task_forces = {t.code: t for t in TaskForce.objects.all()}
    errors: list[CellError] = []
    parsed: list[FactorValues] = []
    seen: dict[str, int] = {}
    for number, row in table.rows:

        def error(field: str, message: str, number=number) -> None:
            letter = table.where[field][0]
            errors.append(CellError(number, letter, headers[field], message))

        code_value = row["code"]
        code = "" if blank(code_value) else str(code_value).strip()
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
            value = row[field]
            if blank(value):
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
        raise file_refused("The file has no rows of factor data under its header.")
    return parsed
