"""Writes the XLSX files of this folder (run it again after changing one):
.venv/bin/python tests/budgets/import_files/make_files.py"""

from datetime import date
from pathlib import Path

from openpyxl import Workbook

HERE = Path(__file__).parent
HEADER = ["Reference", "Kind", "Date", "Amount", "Category", "Share", "Pays reference",
          "Date paid", "In-kind basis", "In-kind description", "Memo"]  # fmt: skip
GOOD = [
    ["PO-1", "Obligation", date(2025, 2, 3), 12000, "A", "federal", None, None, None, None,
     "Contract investigator"],
    ["V-1", "Expenditure", date(2025, 2, 20), 4000, "A. Personnel", "federal", "PO-1", None,
     None, None, "February invoice"],
    ["V-2", "expenditure", date(2025, 3, 5), 1250.5, "C", None, None, date(2025, 3, 10), None,
     None, "Travel to the ICAC conference"],
    ["D-1", "Disbursement", date(2025, 3, 15), 4000, None, None, "V-1", None, None, None,
     "Check 1001"],
    ["PI-1", "Program income", date(2025, 4, 1), "$300.00", None, None, None, None, None, None,
     "Training fees"],
]  # fmt: skip


def write(name: str, rows: list[list]) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "Entries"
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    workbook.save(HERE / name)


if __name__ == "__main__":
    write("good.xlsx", GOOD)
    formula = [list(row) for row in GOOD]
    formula[3][3] = "=D3"  # row 5, column D (Amount)
    write("formula.xlsx", formula)
