"""No sheet past the spreadsheet row limit: a long table goes on numbered sheets, each
with its totals, and a sheet of totals over all of them that ties out to the rows. The
limit is a parameter, so a sheet of 10 rows stands in for Excel's 1,048,576."""

import re
import uuid
from datetime import date
from decimal import Decimal
from io import BytesIO

from openpyxl import load_workbook

from budgets.kinds import TOTALS
from budgets.ledger_days import LINE_SUMS
from budgets.models import LedgerEntry
from grants.models import Award
from grants.money import ZERO, MoneySum
from reports.exports.workbooks import (
    LEDGER_TOTALS,
    Selection,
    selection_about,
    selection_sheets,
)
from reports.exports.xlsx import SHEET_ROW_LIMIT, Column, Sheet, SumIf, write_workbook
from tests.compliance.helpers import active_award, reverse, spend
from tests.reports.workbook_helpers import (
    assert_formulas_carry_their_values,
    data_rows,
    evaluate,
    labelled_totals,
)

D = Decimal


def _open(sheets, *, max_rows: int):
    handle = BytesIO()
    write_workbook(handle, sheets=sheets, about={"Export": "test"}, max_rows=max_rows)
    assert_formulas_carry_their_values(handle.getvalue())
    return load_workbook(BytesIO(handle.getvalue()))


def _over_all(wb, title: str) -> dict[str, Decimal]:
    """The totals sheet of a split table, each formula recomputed from the cells of the
    numbered sheets it adds up."""
    totals = {}
    for label, column, formula in wb[title].iter_rows(min_row=2, values_only=True):
        total = ZERO
        for sheet, ref in re.findall(r"'([^']+)'!([A-Z]+\d+)", formula):
            total += evaluate(wb[sheet], wb[sheet][ref].value)
        assert formula.count("!") == len(re.findall(r"'[^']+'!", formula))
        totals[f"{label} {column}"] = total
    return totals


def test_a_long_table_splits_into_numbered_sheets_that_tie_out():
    rows = [(f"Row {i}", D(i) + D("0.25"), "Paid" if i % 3 else "Open") for i in range(1, 24)]
    sheet = Sheet(
        "Payments",
        [Column("Name"), Column("Amount", "money", total=True), Column("Status")],
        iter(rows),
        sum_ifs=[SumIf("Paid", "Amount", (("Status", "Paid"),))],
    )
    wb = _open([sheet], max_rows=10)
    # 10 rows a sheet: the header, 7 rows, the total and the "Paid" line.
    assert wb.sheetnames == ["Payments 1", "Payments 2", "Payments 3", "Payments 4"] + [
        "Payments totals",
        "About",
    ]
    assert [wb[f"Payments {n}"].max_row for n in (1, 2, 3, 4)] == [10, 10, 10, 5]
    assert [len(data_rows(wb[f"Payments {n}"])) for n in (1, 2, 3, 4)] == [7, 7, 7, 2]
    assert [r[0] for n in (1, 2, 3, 4) for r in data_rows(wb[f"Payments {n}"])] == [
        r[0] for r in rows
    ]
    for n, part in enumerate((rows[0:7], rows[7:14], rows[14:21], rows[21:]), start=1):
        assert labelled_totals(wb[f"Payments {n}"]) == {
            "Total Amount": sum((r[1] for r in part), ZERO),
            "Paid": sum((r[1] for r in part if r[2] == "Paid"), ZERO),
        }
    assert _over_all(wb, "Payments totals") == {
        "Total Amount": sum((r[1] for r in rows), ZERO),
        "Paid Amount": sum((r[1] for r in rows if r[2] == "Paid"), ZERO),
    }
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["Rows in Payments"] == "23"
    assert about["Sheets of Payments"] == "Payments 1, Payments 2, Payments 3, Payments 4"


def test_a_table_that_fits_keeps_one_sheet_and_its_name():
    sheet = Sheet("Payments", [Column("Amount", "money", total=True)], iter([(D("1.00"),)] * 8))
    wb = _open([sheet], max_rows=10)  # header, 8 rows and the total: exactly 10
    assert wb.sheetnames == ["Payments", "About"]
    assert SHEET_ROW_LIMIT == 1_048_576


def test_the_program_ledger_splits_with_its_sf425_totals_on_each_sheet(program):
    Award.objects.filter(pk__in=[program.award_a.pk, program.award_b.pk]).update(status="active")
    for n in range(5):
        for award in (program.award_a, program.award_b):
            LedgerEntry.objects.create(
                award=award,
                kind="drawdown",
                amount=D("100.00") + n,
                effective_date=date(2025, 1, 5 + n),
                actor=program.officer_a,
                idempotency_key=uuid.uuid4(),
            )
    selection = Selection()
    sheets = selection_sheets(user=program.auditor, selection=selection)
    ledger = next(s for s in sheets if s.title == "Ledger")
    footer = len(ledger.sum_ifs)
    handle = BytesIO()
    write_workbook(
        handle,
        sheets=sheets,
        about=selection_about(user=program.auditor, selection=selection),
        max_rows=1 + 4 + footer,  # four entries a sheet
    )
    assert assert_formulas_carry_their_values(handle.getvalue())
    wb = load_workbook(BytesIO(handle.getvalue()))
    assert [t for t in wb.sheetnames if t.startswith("Ledger")] == [
        "Ledger 1",
        "Ledger 2",
        "Ledger 3",
        "Ledger totals",
    ]
    assert all(wb[t].max_row <= 1 + 4 + footer for t in wb.sheetnames if t != "About")
    drawn = LedgerEntry.objects.aggregate(total=MoneySum("amount"))["total"]
    assert drawn == D("1020.00")
    label = "Cash receipts (10a)"
    assert _over_all(wb, "Ledger totals")[f"{label} Amount"] == drawn
    assert sum(labelled_totals(wb[f"Ledger {n}"])[label] for n in (1, 2, 3)) == drawn


def _by_total(totals: dict[str, Decimal]) -> dict[str, Decimal]:
    """Labelled totals of the ledger sheet added up per per-day total: a total several
    kinds move has a line per kind ("<label>, <kind>")."""
    found = {}
    for name, label in LEDGER_LABELS.items():
        found[name] = sum(
            (v for k, v in totals.items() if k == label or k.startswith(f"{label}, ")), ZERO
        )
    return found


LEDGER_LABELS = {t.name: t.sheet_label for t in TOTALS if t.sheet_label}


def test_every_ledger_total_on_every_sheet_equals_the_database_sum(program):
    """Each numbered sheet's totals are the database's sums over that sheet's entries, and
    the totals sheet is the database's sums over the whole ledger, line by line."""
    award = active_award(program)
    spent = [
        spend(program, award, f"{100 + n}.{n:02d}", day=date(2025, 1, 5 + n)) for n in range(6)
    ]
    reverse(program, spent[2], day=date(2025, 1, 20))
    for n in range(3):
        LedgerEntry.objects.create(
            award=award,
            kind="drawdown",
            amount=D("50.25") + n,
            effective_date=date(2025, 2, 1 + n),
            actor=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
    selection = Selection(award=award)
    sheets = selection_sheets(user=program.auditor, selection=selection)
    footer = len(LEDGER_TOTALS)
    wb = _open(sheets, max_rows=1 + 4 + footer)  # four entries a sheet
    parts = [t for t in wb.sheetnames if re.fullmatch(r"Ledger \d+", t)]
    assert parts == ["Ledger 1", "Ledger 2", "Ledger 3"]
    every = LedgerEntry.objects.filter(award=award)
    seen = []
    for title in parts:
        ids = [row[1] for row in data_rows(wb[title])]
        seen += ids
        on_sheet = _by_total(labelled_totals(wb[title]))
        assert on_sheet == every.filter(pk__in=ids).aggregate(
            **{name: LINE_SUMS[name] for name in LEDGER_LABELS}
        ), title
    assert seen == list(every.order_by("effective_date", "pk").values_list("pk", flat=True))
    whole = every.aggregate(**{name: LINE_SUMS[name] for name in LEDGER_LABELS})
    assert whole["federal_expenditures"] == D("513.13")  # six spent, the third reversed
    assert whole["drawn"] == D("153.75")
    grand = {k.removesuffix(" Amount"): v for k, v in _over_all(wb, "Ledger totals").items()}
    assert _by_total(grand) == whole
