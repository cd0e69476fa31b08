"""The ledger import as a finance officer uses it: the template, the file's checks (each
bad file refused with its message, nothing written), the dry run, the posting, the same
file again, and an SF-425 that does not depend on how the entries came in."""

import csv
import io
import uuid
import zipfile
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook, load_workbook

from budgets import ledger
from budgets.ledger_batch import RowError
from budgets.ledger_import import MAX_ROWS, ImportRefused, cell_errors, read_ledger_file
from budgets.models import KeptUpload, LedgerEntry
from grants.models import AuditEvent, Membership
from reports.sf425 import compute_sf425
from tests import factories
from tests.budgets.ledger_helpers import activate, draw

FILES = Path(__file__).parent / "import_files"
GOOD_REFERENCES = ["PO-1", "V-1", "V-2", "D-1", "PI-1"]


@pytest.fixture
def active(program):
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "10000.00")
    return program


def _import_url(program):
    return reverse("budgets:ledger_import", args=[program.award_a.award_number])


def _upload(client, program, name, content):
    return client.post(_import_url(program), {"file": _named(name, content)}, format="multipart")


def _named(name, content):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def _errors(response) -> list[str]:
    return [str(error) for error in response.context["errors"]]


def _ledger_state(award):
    """What an import may write: entries, kept uploads, audit events."""
    return (
        LedgerEntry.objects.filter(award=award).count(),
        KeptUpload.objects.count(),
        AuditEvent.objects.count(),
    )


def _refused(name, content, award):
    with pytest.raises(ImportRefused) as refused:
        read_ledger_file(name, content, award=award)
    return [str(error) for error in refused.value.errors]


# --- Bad files: each its message, nothing written -------------------------------------


BAD_FILES = [
    ("empty.csv", ["The file is empty."]),
    ("header_only.csv", ["The file has no entries under its header row."]),
    (
        "csv_named.xlsx",
        ["The file is named .xlsx but is text, not a workbook (is it a CSV file? name it .csv)."],
    ),
    ("image.csv", ["The file is named .csv but is a PNG image."]),
    (
        "latin1.csv",
        [
            "The CSV file is not UTF-8 text (byte 80 is not UTF-8). Save it as “CSV UTF-8” "
            "and upload it again."
        ],
    ),
    ("formula.xlsx", ["Row 5, column D (Amount): holds a formula; paste values instead."]),
    (
        "unknown_column.csv",
        [
            "Row 1, column E (Vendor): this column is not one the import reads; remove it or "
            "rename it (the template lists the columns)."
        ],
    ),
    (
        "missing_column.csv",
        [
            "Row 1 must name the columns; missing: Date. Download the template for the "
            "columns the file needs."
        ],
    ),
    (
        "other_award.csv",
        [
            "Row 2, column A (Award): this file is for award 15PJDP-25-GK-00002-MECP; upload "
            "it on that award's page (this is 15PJDP-25-GK-00001-MECP)."
        ],
    ),
    (
        "bad_cells.csv",
        [
            "Row 3, column B (Kind): “Refund” is not a kind of entry; use one of: Obligation, "
            "Expenditure, Disbursement, Program income, Program income spent, Cash returned, "
            "Interest earned, Interest remitted.",
            "Row 4, column C (Date): “2025-02-30” is not a day of the calendar.",
            "Row 5, column D (Amount): 10.005 has more than 2 decimal places.",
            "Row 6, column A (Reference): the cell is empty.",
            "Row 7, column D (Amount): the cell is empty.",
            "Row 8, column E (Category): “Z” is not a budget category; write its letter (A–J) "
            "or its name.",
            "Row 9, column A (Reference): PO-1 appears again (first on row 2); each entry "
            "needs its own reference.",
        ],
    ),
]


@pytest.mark.parametrize(("name", "messages"), BAD_FILES)
def test_a_bad_file_is_refused_with_its_messages_and_nothing_is_written(
    client, active, name, messages
):
    client.force_login(active.officer_a)
    before = _ledger_state(active.award_a)
    response = _upload(client, active, name, (FILES / name).read_bytes())
    assert response.status_code == 200
    assert _errors(response) == messages
    assert "Nothing was posted" in response.content.decode()
    assert _ledger_state(active.award_a) == before


def test_a_zip_bomb_is_refused_before_it_is_unpacked(program):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("xl/worksheets/sheet1.xml", b"\0" * (30 * 1024 * 1024))
    content = buffer.getvalue()
    assert len(content) < 100_000
    assert _refused("spending.xlsx", content, program.award_a) == [
        "The workbook's part xl/worksheets/sheet1.xml is compressed more than 200 to 1, as "
        "a ZIP bomb is; it was not opened."
    ]


def test_a_workbook_unpacking_to_too_much_is_refused(program, monkeypatch):
    monkeypatch.setattr("budgets.ledger_import.MAX_UNCOMPRESSED", 1024)
    content = (FILES / "good.xlsx").read_bytes()
    assert _refused("spending.xlsx", content, program.award_a) == [
        "The workbook would unpack to more than 0 MB; split it into smaller files."
    ]


def _workbook_with(part: str, replace: bytes, by: bytes) -> bytes:
    source = zipfile.ZipFile(FILES / "good.xlsx")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for member in source.infolist():
            data = source.read(member)
            if member.filename == part:
                assert replace in data
                data = data.replace(replace, by, 1)
            archive.writestr(member, data)
    return buffer.getvalue()


@pytest.mark.parametrize(
    "declaration",
    [
        # XXE: a file of the server read into a cell.
        b'<!DOCTYPE worksheet [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>',
        # Entity expansion ("billion laughs").
        b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>',
    ],
)
def test_a_workbook_declaring_entities_is_refused(program, declaration):
    content = _workbook_with("xl/worksheets/sheet1.xml", b"<worksheet", declaration + b"<worksheet")
    assert _refused("spending.xlsx", content, program.award_a) == [
        "The workbook's part xl/worksheets/sheet1.xml declares a DOCTYPE or entities, which "
        "a spreadsheet does not need; it was not opened."
    ]


def test_openpyxl_parses_with_defusedxml():
    """The second line of defence behind the DOCTYPE check (requirements.txt)."""
    from openpyxl.xml import DEFUSEDXML

    assert DEFUSEDXML


def test_the_engines_errors_name_the_files_own_column_or_only_the_row():
    columns = {"amount": ("E", "Amount ($)"), "reference": ("A", "Voucher")}
    errors = [
        RowError(7, "amount", "$500.00 is $120.00 more than the $380.00 of federal cash on hand."),
        RowError(8, "category", "Choose a budget category (A–J)."),
        RowError(9, "", "Award 1 is closed."),
    ]
    assert [str(error) for error in cell_errors(errors, columns)] == [
        "Row 7, column E (Amount ($)): $500.00 is $120.00 more than the $380.00 of federal "
        "cash on hand.",
        "Row 8: Choose a budget category (A–J).",
        "Row 9: Award 1 is closed.",
    ]


def test_a_file_over_the_size_limit_is_refused_unread(program, monkeypatch):
    monkeypatch.setattr("budgets.ledger_import.MAX_BYTES", 100)
    assert _refused("spending.csv", (FILES / "good.csv").read_bytes(), program.award_a) == [
        "The file is larger than 0 MB; split it into smaller files."
    ]


def test_reading_stops_at_the_row_limit(program):
    """100,000 rows: refused at the limit's next row, the rest never read."""
    lines = ["Reference,Kind,Date,Amount,Category"]
    lines += [f"V-{n},Expenditure,2025-02-03,1.00,A" for n in range(100_000)]
    content = ("\n".join(lines) + "\n").encode()
    assert _refused("spending.csv", content, program.award_a) == [
        f"The file has more than {MAX_ROWS:,} entries; split it into smaller files."
    ]


def test_reading_a_workbook_stops_at_the_row_limit(program, monkeypatch):
    monkeypatch.setattr("budgets.ledger_import.MAX_ROWS", 10)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Kind", "Date", "Amount", "Category"])
    for n in range(1000):
        sheet.append([f"V-{n}", "Expenditure", date(2025, 2, 3), 1, "A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _refused("s.xlsx", buffer.getvalue(), program.award_a) == [
        "The file has more than 10 entries; split it into smaller files."
    ]


def test_a_workbook_claiming_a_million_rows_reads_the_rows_it_holds(program):
    content = _workbook_with(
        "xl/worksheets/sheet1.xml",
        b'<dimension ref="A1:K6" />',
        b'<dimension ref="A1:XFD1048576" />',
    )
    assert [
        row.reference for row in read_ledger_file("s.xlsx", content, award=program.award_a).rows
    ] == GOOD_REFERENCES


def test_an_upload_of_another_extension_is_refused(program):
    assert _refused("spending.txt", b"Reference\n", program.award_a) == [
        "Upload an .xlsx or .csv file."
    ]


# --- Reading good files -----------------------------------------------------------------


@pytest.mark.parametrize("name", ["good.csv", "good.xlsx"])
def test_a_good_file_reads_into_rows(program, name):
    rows = read_ledger_file(name, (FILES / name).read_bytes(), award=program.award_a).rows
    assert [
        (r.line, r.reference, r.kind, r.effective_date, r.amount, r.category, r.pays) for r in rows
    ] == [
        (2, "PO-1", "obligation", date(2025, 2, 3), Decimal("12000.00"), "A", ""),
        (3, "V-1", "expenditure", date(2025, 2, 20), Decimal("4000.00"), "A", "PO-1"),
        (4, "V-2", "expenditure", date(2025, 3, 5), Decimal("1250.50"), "C", ""),
        (5, "D-1", "disbursement", date(2025, 3, 15), Decimal("4000.00"), "", "V-1"),
        (6, "PI-1", "program_income", date(2025, 4, 1), Decimal("300.00"), "", ""),
    ]
    assert rows[2].paid_on == date(2025, 3, 10)
    assert rows[2].share == "federal"


def test_a_csv_with_a_byte_order_mark_reads(program):
    rows = read_ledger_file("s.csv", (FILES / "bom.csv").read_bytes(), award=program.award_a).rows
    assert [(r.reference, r.memo) for r in rows] == [("PO-1", "Café contract")]


# --- Dry run, posting, the same file again ----------------------------------------------


@pytest.mark.parametrize("name", ["good.csv", "good.xlsx"])
def test_dry_run_lists_the_entries_then_posting_writes_them_once(client, active, name):
    client.force_login(active.officer_a)
    award = active.award_a
    entries = LedgerEntry.objects.filter(award=award)
    before = entries.count()
    response = _upload(client, active, name, (FILES / name).read_bytes())
    assert response.status_code == 302
    review = response.url
    response = client.get(review)
    page = response.content.decode()
    assert [row["reference"] for row in response.context["would_post"]] == GOOD_REFERENCES
    assert response.context["errors"] == []
    assert "Post these 5 entries" in page
    # The balances after, on the SF-425 lines: cash on hand 10,000 - 4,000 - 1,250.50.
    after = {label: value for label, _, value in response.context["balance_rows"]}
    assert after["Cash on hand [10c]"] == Decimal("4749.50")
    assert after["Federal expenditures [10e]"] == Decimal("5250.50")
    assert after["Unliquidated obligations [10f]"] == Decimal("8000.00")
    assert after["Unobligated balance [10h]"] == Decimal("200000.00") - Decimal("13250.50")
    assert entries.count() == before  # a dry run writes nothing

    response = client.post(review)
    assert response.status_code == 302
    posted = entries.exclude(reference="").order_by("pk")
    assert [(e.reference, e.kind, e.amount) for e in posted] == [
        ("PO-1", "obligation", Decimal("12000.00")),
        ("V-1", "expenditure", Decimal("4000.00")),
        ("V-2", "expenditure", Decimal("1250.50")),
        ("D-1", "disbursement", Decimal("4000.00")),
        ("PI-1", "program_income", Decimal("300.00")),
    ]
    assert posted.get(reference="V-1").obligation == posted.get(reference="PO-1")
    assert posted.get(reference="D-1").expenditure == posted.get(reference="V-1")
    count = entries.count()

    # The same file again: every row already posted, nothing to post.
    response = _upload(client, active, name, (FILES / name).read_bytes())
    response = client.get(response.url)
    assert response.context["would_post"] == []
    assert [row["reference"] for row in response.context["already_posted"]] == GOOD_REFERENCES
    assert "Post these" not in response.content.decode()
    client.post(response.request["PATH_INFO"])
    assert entries.count() == count


def test_a_refusal_by_the_ledger_names_the_row_and_column(client, active):
    """Paying out more federal cash than is on hand: the engine's own message, on the
    file's Amount cell; nothing posts, not even the rows that were fine."""
    client.force_login(active.officer_a)
    award = active.award_a
    ledger.entry_post(
        actor=active.officer_a,
        award=award,
        kind="disbursement",
        amount="7000.00",
        effective_date=date(2025, 1, 20),
        idempotency_key=uuid.uuid4(),
    )
    before = _ledger_state(award)
    response = _upload(client, active, "over_cash.csv", (FILES / "over_cash.csv").read_bytes())
    review = response.url
    response = client.get(review)
    assert _errors(response) == [
        "Row 3, column D (Amount): $4,000.00 is $1,000.00 more than the $3,000.00 of federal "
        "cash on hand."
    ]
    assert "Post these" not in response.content.decode()
    response = client.post(review)
    assert _errors(response)[0].startswith("Row 3, column D (Amount): ")
    assert _ledger_state(award)[0] == before[0]


def test_a_reference_posted_before_with_other_values_is_refused(client, active):
    client.force_login(active.officer_a)
    content = (FILES / "good.csv").read_bytes()
    client.post(_upload(client, active, "good.csv", content).url)
    changed = content.replace(
        b"V-1,Expenditure,02/20/2025,4000,", b"V-1,Expenditure,02/20/2025,4100,"
    )
    count = LedgerEntry.objects.count()
    response = client.get(_upload(client, active, "changed.csv", changed).url)
    [error] = _errors(response)
    assert error.startswith("Row 3, column A (Reference): ")
    assert "Post these" not in response.content.decode()
    assert LedgerEntry.objects.count() == count


# --- Who may -----------------------------------------------------------------------------


def test_another_task_forces_officer_gets_a_404(client, active):
    client.force_login(active.officer_b)
    assert client.get(_import_url(active)).status_code == 404
    response = _upload(client, active, "good.csv", (FILES / "good.csv").read_bytes())
    assert response.status_code == 404
    upload = KeptUpload.objects.create(
        purpose=KeptUpload.Purpose.LEDGER,
        award=active.award_a,
        sha256="0" * 64,
        filename="good.csv",
        content=(FILES / "good.csv").read_bytes(),
        uploaded_by=active.officer_a,
    )
    url = reverse("budgets:ledger_import_review", args=[active.award_a.award_number, upload.sha256])
    assert client.post(url).status_code == 404
    assert not LedgerEntry.objects.exclude(reference="").exists()


def test_another_officer_of_the_task_force_cannot_use_a_kept_file(client, active):
    """The kept file is its uploader's: a second finance officer of the same task force
    naming it gets a 404, and posts nothing."""
    client.force_login(active.officer_a)
    response = _upload(client, active, "good.csv", (FILES / "good.csv").read_bytes())
    assert response.status_code == 302
    colleague = factories.make_user(
        "officer_a2",
        memberships=[(active.award_a.task_force, Membership.Role.FINANCE_OFFICER)],
    )
    client.force_login(colleague)
    assert client.get(response.url).status_code == 404
    assert client.post(response.url).status_code == 404
    assert not LedgerEntry.objects.exclude(reference="").exists()


# --- Kept files expire; the daily duties delete them ---------------------------------


def _age(upload_url: str, hours: int) -> None:
    sha256 = upload_url.rstrip("/").rsplit("/", 1)[-1]
    KeptUpload.objects.filter(sha256=sha256).update(
        uploaded_at=timezone.now() - timedelta(hours=hours)
    )


def test_an_expired_kept_file_is_a_404_and_only_the_daily_duties_delete_it(client, active):
    client.force_login(active.officer_a)
    good = (FILES / "good.csv").read_bytes()
    expired = _upload(client, active, "good.csv", good).url
    _age(expired, 25)
    fresh = _upload(client, active, "other.csv", good.replace(b"PO-1", b"PO-9")).url
    assert client.get(fresh).status_code == 200

    # Its pages no longer offer it, and delete nothing: a GET or another upload.
    assert client.get(expired).status_code == 404
    assert client.post(expired).status_code == 404
    assert KeptUpload.objects.count() == 2
    assert not LedgerEntry.objects.exclude(reference="").exists()

    out = io.StringIO()
    call_command("run_daily", stdout=out)
    assert "Expired uploads deleted: 1" in out.getvalue()
    assert list(KeptUpload.objects.values_list("filename", flat=True)) == ["other.csv"]
    assert client.get(fresh).status_code == 200


def test_uploading_an_expired_file_again_renews_it(client, active):
    client.force_login(active.officer_a)
    good = (FILES / "good.csv").read_bytes()
    url = _upload(client, active, "good.csv", good).url
    _age(url, 25)
    assert _upload(client, active, "good.csv", good).url == url
    assert client.get(url).status_code == 200
    assert KeptUpload.objects.count() == 1
    call_command("run_daily", stdout=io.StringIO())
    assert KeptUpload.objects.count() == 1


def test_the_template_documents_each_column_and_this_awards_categories(client, active):
    client.force_login(active.auditor)
    url = reverse("budgets:ledger_import_template", args=[active.award_a.award_number, "xlsx"])
    response = client.get(url)
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["Entries", "Columns"]
    header = [cell.value for cell in workbook["Entries"][1]]
    assert header == [
        "Reference", "Kind", "Date", "Amount", "Category", "Share", "Pays reference",
        "Date paid", "In-kind basis", "In-kind description", "Memo",
    ]  # fmt: skip
    assert workbook["Entries"].max_row == 1  # no example rows to post by mistake
    guide = {row[0]: row for row in workbook["Columns"].iter_rows(min_row=5, values_only=True)}
    assert set(header) <= set(guide)
    assert guide["Category"][3] == (
        "Budgeted on this award: A. Personnel (federal $120,000.00, non-federal $0.00); "
        "C. Travel (federal $80,000.00, non-federal $0.00)"
    )
    assert guide["Amount"][1] == "yes"
    response = client.get(url.replace(".xlsx", ".csv"))
    assert next(csv.reader(io.StringIO(response.content.decode("utf-8-sig")))) == header
    # The template as downloaded reads (as an empty file) without a formula or file error.
    assert _refused("t.xlsx", client.get(url).content, active.award_a) == [
        "The file has no entries under its header row."
    ]


# --- The SF-425 of an award loaded by import ---------------------------------------------


def test_the_sf425_of_an_imported_award_equals_the_same_award_entered_by_forms(client, program):
    """Award A's spending posted through the import; a twin award's, the same entries
    posted one by one through entry_post, as the form does: their SF-425s agree on every
    line."""
    twin = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        number="15PJDP-25-GK-00003-MECP",
    )
    for award in (program.award_a, twin):
        activate(program, award)
        draw(program, "10000.00", award=award)
    client.force_login(program.officer_a)
    content = (FILES / "good.csv").read_bytes()
    response = _upload(client, program, "good.csv", content)
    client.post(response.url)
    assert LedgerEntry.objects.filter(award=program.award_a).exclude(reference="").count() == 5
    posted = {}
    for row in read_ledger_file("good.csv", content, award=twin).rows:
        paid = posted.get(row.pays)
        posted[row.reference] = ledger.entry_post(
            actor=program.officer_a,
            award=twin,
            kind=row.kind,
            amount=row.amount,
            effective_date=row.effective_date,
            idempotency_key=uuid.uuid4(),
            category=row.category,
            share=row.share,
            memo=row.memo,
            paid_on=row.paid_on,
            obligation=paid if row.kind == "expenditure" else None,
            expenditure=paid if row.kind == "disbursement" else None,
        )
    for period_end in (date(2025, 3, 31), date(2025, 6, 30)):
        imported = compute_sf425(program.award_a, period_end=period_end, is_final=False)
        entered = compute_sf425(twin, period_end=period_end, is_final=False)
        assert imported.lines == entered.lines
    assert imported.lines["10b"] == Decimal("5250.50")
    assert imported.lines["10e"] == Decimal("5250.50")
    assert imported.lines["10f"] == Decimal("8000.00")
    assert imported.lines["10l"] == Decimal("300.00")


def test_an_unreadable_workbook_named_xlsx_is_refused(program):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")
    assert _refused("s.xlsx", buffer.getvalue(), program.award_a) == [
        "The file could not be read as an XLSX workbook."
    ]


def test_a_date_cell_with_a_time_and_a_number_for_a_date_are_refused(program):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["Reference", "Kind", "Date", "Amount", "Category"])
    sheet.append(["V-1", "Expenditure", 45700, 10, "A"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    assert _refused("s.xlsx", buffer.getvalue(), program.award_a) == [
        "Row 2, column C (Date): 45700 is a number, not a date; format the cell as a date "
        "or write it as 2026-03-04."
    ]
