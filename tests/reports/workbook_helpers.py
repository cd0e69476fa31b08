"""Reading the workbooks back as an auditor's spreadsheet would: totals recomputed from
the cells the formulas point at."""

import re
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook
from openpyxl.utils import column_index_from_string

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
RANGE = r"\$?([A-Z]+)\$?(\d+):\$?([A-Z]+)\$?(\d+)"


def response_bytes(response) -> bytes:
    assert response.status_code == 200, response.status_code
    return b"".join(response.streaming_content)


def open_workbook(response):
    assert response["Content-Type"] == XLSX
    return load_workbook(BytesIO(response_bytes(response)))


def _column(ws, reference: str) -> list:
    first_col, first_row, last_col, last_row = re.fullmatch(RANGE, reference).groups()
    assert first_col == last_col, reference
    index = column_index_from_string(first_col)
    return [ws.cell(row=r, column=index).value for r in range(int(first_row), int(last_row) + 1)]


def _amount(value) -> Decimal:
    return Decimal(str(value)) if value is not None else Decimal("0")


def evaluate(ws, formula: str) -> Decimal:
    """The value of a SUM formula, or of SUMIFS terms less others ("=SUMIFS(..)-SUMIFS(..)"),
    as written by reports.exports.xlsx."""
    if match := re.fullmatch(rf"=SUM\(({RANGE})\)", formula):
        return sum((_amount(v) for v in _column(ws, match.group(1))), Decimal("0.00"))
    assert formula.startswith("=SUMIFS("), formula
    first, *subtracted = formula[1:].split("-SUMIFS(")
    return _sumifs(ws, first.removeprefix("SUMIFS(")) - sum(
        (_sumifs(ws, term) for term in subtracted), Decimal("0.00")
    )


def _sumifs(ws, arguments: str) -> Decimal:
    """One SUMIFS term, its arguments with the closing parenthesis."""
    assert arguments.endswith(")"), arguments
    parts = re.findall(rf'({RANGE})|"((?:[^"]|"")*)"', arguments[:-1])
    summed = _column(ws, parts[0][0])
    keep = [True] * len(summed)
    for (criteria_range, *_), (*_, value) in zip(parts[1::2], parts[2::2], strict=True):
        wanted = value.replace('""', '"')
        keep = [k and c == wanted for k, c in zip(keep, _column(ws, criteria_range), strict=True)]
    return sum((_amount(v) for v, k in zip(summed, keep, strict=True) if k), Decimal("0.00"))


def labelled_totals(ws) -> dict[str, Decimal]:
    """Every formula row below the data: its label (column A) -> its value, recomputed.
    For the SUM row, one entry per totalled column: "Total <header>"."""
    headers = [c.value for c in ws[1]]
    totals = {}
    for row in ws.iter_rows(min_row=2):
        label = row[0].value
        for cell in row[1:]:
            if isinstance(cell.value, str) and cell.value.startswith("=S"):
                key = f"Total {headers[cell.column - 1]}" if label == "Total" else label
                totals[key] = evaluate(ws, cell.value)
    return totals


def data_rows(ws) -> list[tuple]:
    """The rows between the header and the totals."""
    rows = []
    for row in ws.iter_rows(min_row=2, values_only=True):
        if any(isinstance(v, str) and v.startswith("=S") for v in row):
            break
        rows.append(row)
    return rows


def assert_formulas_carry_their_values(content: bytes) -> int:
    """Every formula's stored value, what a reader that does not calculate shows (a
    viewer, a preview, openpyxl's data_only), equals the formula recomputed from the
    cells it points at. Returns how many formulas were checked."""
    formulas = load_workbook(BytesIO(content))
    stored = load_workbook(BytesIO(content), data_only=True)
    checked = 0
    for ws in formulas.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if cell.data_type != "f":
                    continue
                if "!" in cell.value:  # a totals sheet: the same cell of each part
                    parts = re.findall(r"'([^']+)'!([A-Z]+\d+)", cell.value)
                    assert parts, cell.value
                    expected = sum(
                        (evaluate(formulas[s], formulas[s][ref].value) for s, ref in parts),
                        Decimal("0.00"),
                    )
                else:
                    expected = evaluate(ws, cell.value)
                value = stored[ws.title][cell.coordinate].value
                assert Decimal(str(value)) == expected, (ws.title, cell.coordinate, cell.value)
                checked += 1
    return checked
