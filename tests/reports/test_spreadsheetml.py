"""The XLSX package as spreadsheets read it: every part well-formed and listed, each
sheet's used range, frozen header and autofilter, numbers in full, dates as day
serials, and what cannot be written refused before anything is."""

import zipfile
from datetime import UTC, date, datetime
from decimal import Decimal
from io import BytesIO
from xml.etree import ElementTree as etree

import pytest
from openpyxl import load_workbook

from reports.exports import spreadsheetml as xml
from reports.exports.xlsx import Column, Sheet, SumIf, write_workbook
from tests.reports.workbook_helpers import assert_formulas_carry_their_values

D = Decimal
CONTENT_TYPES = "{http://schemas.openxmlformats.org/package/2006/content-types}"
RELS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"


def _payments(rows, **extra) -> Sheet:
    return Sheet(
        "Payments",
        [
            Column("Name"),
            Column("Paid on", "date"),
            Column("Amount", "money", total=True),
            Column("Status"),
        ],
        iter(rows),
        **extra,
    )


def _write(sheets, **options) -> bytes:
    handle = BytesIO()
    write_workbook(handle, sheets=sheets, about={"Export": "test"}, **options)
    return handle.getvalue()


ROWS = [
    ("Alpha", date(2025, 1, 5), D("10.25"), "Paid"),
    ('=HYPERLINK("x")', date(2025, 1, 6), D("1E+3"), "Open"),
    ("Gamma & <Delta>\r\n", None, D("-2.50"), "Paid"),
]


def test_every_part_is_well_formed_and_listed_with_its_type():
    content = _write([_payments(ROWS, sum_ifs=[SumIf("Paid", "Amount", (("Status", "Paid"),))])])
    package = zipfile.ZipFile(BytesIO(content))
    names = package.namelist()
    assert names[0] == "[Content_Types].xml"
    for name in names:
        etree.fromstring(package.read(name))  # raises on anything not well-formed
    types = etree.fromstring(package.read("[Content_Types].xml"))
    overridden = {o.get("PartName").lstrip("/") for o in types.iter(f"{CONTENT_TYPES}Override")}
    assert overridden == set(names) - {"[Content_Types].xml", "_rels/.rels", *_rels(names)}
    targets = {
        "xl/" + r.get("Target")
        for r in etree.fromstring(package.read("xl/_rels/workbook.xml.rels")).iter(
            f"{RELS}Relationship"
        )
    }
    assert targets == {"xl/styles.xml", "xl/worksheets/sheet1.xml", "xl/worksheets/sheet2.xml"}
    workbook = etree.fromstring(package.read("xl/workbook.xml"))
    assert [s.get("name") for s in workbook.iter(f"{MAIN}sheet")] == ["Payments", "About"]
    # Excel finds the autofilter by this hidden name as well as in the sheet.
    (name,) = workbook.iter(f"{MAIN}definedName")
    assert (name.get("name"), name.get("localSheetId"), name.text) == (
        "_xlnm._FilterDatabase",
        "0",
        "'Payments'!$A$1:$D$4",
    )
    sheet = etree.fromstring(package.read("xl/worksheets/sheet1.xml"))
    # The used range counts the totals below the rows: header, 3 rows, Total, Paid.
    assert sheet.find(f"{MAIN}dimension").get("ref") == "A1:D6"
    assert sheet.find(f"{MAIN}autoFilter").get("ref") == "A1:D4"
    assert [child.tag.removeprefix(MAIN) for child in sheet] == [
        "dimension",
        "sheetViews",
        "sheetFormatPr",
        "cols",
        "sheetData",
        "autoFilter",
        "pageMargins",
    ]  # the order the schema requires, which Excel enforces


def _rels(names):
    return [n for n in names if n.endswith(".rels")]


def test_cells_read_back_with_their_types_formats_and_totals():
    net = SumIf("Net", "Amount", (("Status", "Paid"),), subtract=((("Status", "Open"),),))
    content = _write(
        [_payments(ROWS, sum_ifs=[SumIf("Paid", "Amount", (("Status", "Paid"),)), net])]
    )
    wb = load_workbook(BytesIO(content))
    ws = wb["Payments"]
    assert ws.freeze_panes == "A2"
    assert [c.font.b for c in ws[1]] == [True] * 4
    assert [c.value for c in ws[2]] == ["Alpha", datetime(2025, 1, 5), 10.25, "Paid"]
    assert [c.number_format for c in ws[2]] == ["General", "yyyy-mm-dd", "#,##0.00", "General"]
    formula_text = ws["A3"]
    assert (formula_text.value, formula_text.data_type, formula_text.quotePrefix) == (
        '=HYPERLINK("x")',
        "s",
        True,
    )
    assert ws["C3"].value == 1000  # written in full, never as 1E+3
    assert ws["A4"].value == "Gamma & <Delta>\r\n" and ws["B4"].value is None
    assert ws["A5"].value == "Total" and ws["C5"].value == "=SUM(C2:C4)"
    assert ws["A6"].value == "Paid" and ws["C6"].value.startswith("=SUMIFS(")
    assert ws["A7"].value == "Net" and ws["C7"].value.count("SUMIFS(") == 2
    values = load_workbook(BytesIO(content), data_only=True)["Payments"]
    assert [values[ref].value for ref in ("C5", "C6", "C7")] == [1007.75, 7.75, -992.25]
    assert assert_formulas_carry_their_values(content) == 3


def test_cell_xml_is_exact():
    assert xml.number_cell("B2", D("1E+3")) == '<c r="B2"><v>1000</v></c>'
    assert xml.number_cell("B2", 7, xml.MONEY) == '<c r="B2" s="2"><v>7</v></c>'
    assert xml.date_cell("C2", date(2025, 1, 1), xml.DATE) == '<c r="C2" s="3"><v>45658</v></c>'
    noon = datetime(2025, 1, 1, 12)
    assert xml.date_cell("C2", noon, xml.DATETIME) == '<c r="C2" s="4"><v>45658.5</v></c>'
    assert xml.text_cell("A1", " a<b ") == (
        '<c r="A1" t="inlineStr"><is><t xml:space="preserve"> a&lt;b </t></is></c>'
    )
    assert xml.formula_cell("D9", 'SUMIFS(A:A,B:B,"<x>")', D("0.00"), xml.BOLD_MONEY) == (
        '<c r="D9" s="6"><f>SUMIFS(A:A,B:B,"&lt;x&gt;")</f><v>0.00</v></c>'
    )


def test_what_a_spreadsheet_cannot_hold_is_refused():
    with pytest.raises(ValueError, match="time zone"):
        xml.serial(datetime(2025, 1, 1, tzinfo=UTC))
    # A SUMIFS criterion with an operator or a wildcard would not mean "equals".
    wildcard = SumIf("Paid", "Amount", (("Status", "Pa*"),))
    with pytest.raises(ValueError, match="not a plain label"):
        _write([_payments(ROWS, sum_ifs=[wildcard])])
    book = xml.Workbook(BytesIO())
    book.add_sheet("Same", [10])
    book.add_sheet("Same", [10])
    with pytest.raises(ValueError, match="unique"):
        book.close()
