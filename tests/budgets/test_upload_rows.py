"""The one reader of uploaded spreadsheets (budgets.upload_rows): every hostile file is
refused the same way, with the same sentence, by each import that reads a file (the
ledger, ASAP payments, past awards, factor data), and nothing is written."""

import csv
import io
import zipfile
from dataclasses import dataclass

import pytest
from openpyxl import Workbook

from allocations import imports as factor_import
from allocations.models import FactorData
from budgets import asap_import, history_import, ledger_import
from budgets.models import DrawdownRequest, KeptUpload, LedgerEntry
from budgets.upload_rows import ImportRefused, Limits, cell_date, header_key
from grants.models import AuditEvent, Award


@dataclass(frozen=True)
class Importer:
    name: str
    header: tuple[str, ...]
    max_rows: int
    noun: str

    def read(self, program, filename: str, content: bytes):
        if self.name == "ledger":
            return ledger_import.read_ledger_file(filename, content, award=program.award_a)
        if self.name == "asap":
            return asap_import.parse_payment_file(filename, content)
        if self.name == "history":
            return history_import.parse_history_file(filename, content)
        return factor_import.parse_factor_file(filename, content)


IMPORTERS = [
    Importer("ledger", ("Reference", "Kind", "Date", "Amount"), ledger_import.MAX_ROWS, "entries"),
    Importer("asap", ("Award number", "Payment date", "Amount"), asap_import.MAX_ROWS, "payments"),
    Importer(
        "history",
        tuple(history_import.COLUMNS[name][0] for name in history_import.REQUIRED),
        history_import.MAX_ROWS,
        "awards",
    ),
    Importer("factors", tuple(factor_import.COLUMNS), factor_import.MAX_ROWS, "rows"),
]


def workbook(rows) -> bytes:
    book = Workbook()
    for row in rows:
        book.active.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def with_part(content: bytes, name: str, change) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as source, zipfile.ZipFile(out, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            target.writestr(item, change(data) if item.filename == name else data)
    return out.getvalue()


def csv_bytes(rows) -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows(rows)
    return out.getvalue().encode()


def zip_bomb(importer):
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", b"<a>" + b" " * (20 * 1024 * 1024) + b"</a>")
    return (
        "b.xlsx",
        out.getvalue(),
        "The workbook's part xl/worksheets/sheet1.xml is compressed more than 200 to 1, as "
        "a ZIP bomb is; it was not opened.",
    )


def xxe(importer):
    content = with_part(
        workbook([importer.header]),
        "xl/worksheets/sheet1.xml",
        lambda data: b'<!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]>' + data,
    )
    return (
        "x.xlsx",
        content,
        "The workbook's part xl/worksheets/sheet1.xml declares a DOCTYPE or entities, which "
        "a spreadsheet does not need; it was not opened.",
    )


def formula(importer):
    row = ["=1+1"] + ["1"] * (len(importer.header) - 1)
    return (
        "f.xlsx",
        workbook([importer.header, row]),
        f"Row 2, column A ({importer.header[0]}): holds a formula; paste values instead.",
    )


def csv_formula(importer):
    row = ["1"] * (len(importer.header) - 1) + ["=HYPERLINK(1)"]
    letter = "ABCDEFGHIJ"[len(importer.header) - 1]
    return (
        "f.csv",
        csv_bytes([importer.header, row]),
        f"Row 2, column {letter} ({importer.header[-1]}): holds a formula; paste values instead.",
    )


def png_named_csv(importer):
    return (
        "p.csv",
        b"\x89PNG\r\n\x1a\n" + b"\0" * 64,
        "The file is named .csv but is a PNG image.",
    )


def pdf_named_xlsx(importer):
    return ("p.xlsx", b"%PDF-1.4\n", "The file is named .xlsx but is a PDF document.")


def over_the_row_limit(importer):
    rows = [importer.header] + [["1"] * len(importer.header)] * (importer.max_rows + 1)
    return (
        "r.csv",
        csv_bytes(rows),
        f"The file has more than {importer.max_rows:,} {importer.noun}; "
        "split it into smaller files.",
    )


def not_utf8(importer):
    content = ",".join(importer.header).encode() + b"\r\nCaf\xe9\r\n"
    byte = len(",".join(importer.header)) + 6
    return (
        "l.csv",
        content,
        f"The CSV file is not UTF-8 text (byte {byte} is not UTF-8). Save it as “CSV UTF-8” "
        "and upload it again.",
    )


def too_large(importer):
    return (
        "s.csv",
        b"x" * (5 * 1024 * 1024 + 1),
        "The file is larger than 5 MB; split it into smaller files.",
    )


HOSTILE = [
    zip_bomb,
    xxe,
    formula,
    csv_formula,
    png_named_csv,
    pdf_named_xlsx,
    over_the_row_limit,
    not_utf8,
    too_large,
]


def written():
    return (
        LedgerEntry.objects.count(),
        KeptUpload.objects.count(),
        AuditEvent.objects.count(),
        Award.objects.count(),
        FactorData.objects.count(),
        list(DrawdownRequest.objects.order_by("pk").values_list("status", flat=True)),
    )


@pytest.mark.parametrize("hostile", HOSTILE, ids=lambda f: f.__name__)
@pytest.mark.parametrize("importer", IMPORTERS, ids=lambda i: i.name)
def test_each_hostile_file_is_refused_alike_by_every_import(program, importer, hostile):
    filename, content, message = hostile(importer)
    before = written()
    with pytest.raises(ImportRefused) as refused:
        importer.read(program, filename, content)
    assert [str(error) for error in refused.value.errors] == [message]
    assert written() == before


def test_the_importers_limits_are_their_own():
    assert [(i.name, i.max_rows) for i in IMPORTERS] == [
        ("ledger", 20_000),
        ("asap", 5_000),
        ("history", 5_000),
        ("factors", 2_000),
    ]
    assert Limits(max_rows=1).max_bytes == 5 * 1024 * 1024
    assert ledger_import.MAX_UNCOMPRESSED == 100 * 1024 * 1024
    assert Limits(max_rows=1).max_uncompressed == 50 * 1024 * 1024


def test_headers_match_ignoring_case_and_punctuation():
    assert header_key("  Payment-Date: ") == header_key("payment date") == "payment date"


@pytest.mark.parametrize(
    "text, message",
    [
        ("2025-02-30", "“2025-02-30” is not a day of the calendar"),
        ("Feb 3", "“Feb 3” is not a date; write it as 2026-03-04 or 03/04/2026"),
    ],
)
def test_a_date_cell_names_what_is_wrong(text, message):
    with pytest.raises(ValueError) as problem:
        cell_date(text)
    assert str(problem.value) == message
