"""Every table download declared in reports.exports.tables, and every document download:
the person's scope, the page's filters, and the file's SHA-256 in the audit trail.

The tables hold rows of both task forces: task force A's name or award number is in each
of A's rows ("Alpha", "00001"), B's in each of B's ("Bravo", "00002")."""

import hashlib
import uuid
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from django.urls import get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from budgets.models import BudgetModification, DrawdownRequest, LedgerEntry
from grants.audit import AuditEvent
from grants.models import Amendment, Award
from grants.services import amendment_record
from reports.exports import tables
from reports.exports.downloads import DOWNLOADED
from reports.models import MEASURES, ProgressReport, Reminder
from tests import factories
from tests.allocations.helpers import make_factors, make_run, program_run
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.report_type_helpers import declare_amendment_reports
from tests.reports.workbook_helpers import response_bytes
from tests.test_permissions import SHARED_REPORT_PAGES, url_with_its_record

TODAY = date(2025, 6, 2)
# Award numbers in full: a bare "00002" also matches a generated EIN such as 12-0000233.
A_MARKS, B_MARKS = ("Alpha", "00001-MECP"), ("Bravo", "00002-MECP")


@dataclass(frozen=True)
class Case:
    """How to download one table: its key (for the table of one object), a query that
    shows every row and one that narrows it by a filter of the page."""

    name: str
    wide: dict = field(default_factory=dict)
    narrow: dict | None = field(default_factory=dict)  # None: the page has no filters
    key: str | None = None  # "award" or "run"
    officer_sees: bool = True  # task force A's finance officer may download it


CASES = [
    Case("awards", narrow={"award_number": "00001"}),
    Case("appropriations", narrow={"fiscal_year": "2024"}, officer_sees=False),
    Case("task_forces", narrow={"state": "VA"}),
    Case("drawdowns", narrow={"status": "requested"}),
    Case("ledger", narrow={"kind": "expenditure"}, key="award"),
    Case("budget_changes", narrow={"award_number": "00001"}),
    Case("amendments", narrow={"award_number": "00001"}),
    Case("calendar", wide={"show": "all"}, narrow={"show": "open"}),
    Case("measures", narrow={"task_force": "va-alpha"}),
    Case("reminders", narrow={"stage": "overdue"}, officer_sees=False),
    Case("allocation_runs", narrow={"name": "formula"}, officer_sees=False),
    Case("allocation_run", narrow={"state": "MD"}, key="run", officer_sees=False),
    Case(
        "allocation_comparison",
        wide={"fiscal_year": "2025"},
        narrow={"fiscal_year": "2025", "state": "VA"},
        officer_sees=False,
    ),
    Case("allocation_factors", narrow={"state": "md"}, officer_sees=False),
    Case("access_review", narrow=None, officer_sees=False),
]
FILTERED = [case for case in CASES if case.narrow is not None]


@pytest.fixture
def tables_of_both(program, pin_today):
    """Rows of task forces A and B in every table."""
    pin_today(TODAY)
    Award.objects.filter(pk__in=[program.award_a.pk, program.award_b.pk]).update(
        status=Award.Status.ACTIVE
    )
    factories.make_appropriation(program.pm, fiscal_year=2024)
    for award, officer in (
        (program.award_a, program.officer_a),
        (program.award_b, program.officer_b),
    ):
        name = award.task_force.name
        for kind, amount in (("drawdown", "300.00"), ("expenditure", "100.00")):
            LedgerEntry.objects.create(
                award=award,
                kind=kind,
                category="A" if kind == "expenditure" else "",
                amount=Decimal(amount),
                effective_date=date(2025, 1, 15),
                actor=officer,
                idempotency_key=uuid.uuid4(),
                memo=f"{name} {kind}",
            )
        for status in ("requested", "rejected"):
            DrawdownRequest.objects.create(
                award=award,
                amount=Decimal("5.00"),
                requested_on=date(2025, 3, 1),
                requested_by=officer,
                idempotency_key=uuid.uuid4(),
                status=status,
                decided_by=program.approver if status == "rejected" else None,
            )
        version = award.budget_versions.get()
        BudgetModification.objects.create(
            award=award,
            status="requested",
            replaces=version,
            base=version,
            award_amount=award.federal_amount,
            cumulative_transfer=Decimal("0.00"),
            transfer_limit=Decimal("20000.00"),
            transfer_pct=Decimal("10"),
            simplified_acquisition_threshold=Decimal("350000.00"),
            new_categories="",
            needs_approval=False,
            requested_by=officer,
            requested_on=date(2025, 1, 6),
            amendment=Amendment.objects.create(
                award=award,
                number=1,
                kind="budget_modification",
                description=name,
                requested_on=date(2025, 1, 6),
                requested_by=officer,
            ),
        )
        amendment_record(
            actor=program.pm,
            award=award,
            kind="administrative",
            description=name,
            requested_on=date(2025, 1, 7),
        )
        ProgressReport.objects.create(
            award=award,
            period_end=date(2024, 12, 31),
            status="submitted",
            submitted_by=officer,
            submitted_at=timezone.now(),
            accomplishments=name,
            **{f: 1 for f, _ in MEASURES},
        )
        for stage, sent_on in (("14_days", date(2025, 4, 16)), ("overdue", date(2025, 5, 1))):
            Reminder.objects.create(
                award=award,
                report_key="sf425:2025-03-31",
                stage=stage,
                sent_on=sent_on,
                recipients=officer.email,
                subject=f"{name}: SF-425 due",
            )
    program.run = program_run(program)
    make_run(program.pm, program.appropriation, name="All formula", formula_pct=Decimal("100"))
    make_factors(program.pm, program.task_force_a, fiscal_year=2024)
    return program


def _url(program, case: Case, key=None) -> str:
    keys = {"award": program.award_a.award_number, "run": program.run.pk}
    args = [case.name] + ([key or keys[case.key]] if case.key else [])
    return reverse("exports:table", args=args)


def _texts(content: bytes) -> list[str]:
    workbook = load_workbook(BytesIO(content))
    return [str(v) for ws in workbook for row in ws.iter_rows(values_only=True) for v in row if v]


def _rows(content: bytes) -> int:
    about = dict(load_workbook(BytesIO(content))["About"].iter_rows(values_only=True))
    (count,) = [v for k, v in about.items() if k.startswith("Rows in ")]
    return int(count)


def _downloads():
    return AuditEvent.objects.filter(action=DOWNLOADED)


def test_every_table_export_is_tested():
    assert {case.name for case in CASES} == set(tables.registered())


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_a_finance_officer_gets_only_their_task_force(client, tables_of_both, case):
    program = tables_of_both
    client.force_login(program.officer_a)
    response = client.get(_url(program, case), case.wide)
    if not case.officer_sees:
        assert response.status_code in (403, 404)
        assert not _downloads().exists()
        return
    content = response_bytes(response)
    texts = _texts(content)
    assert _rows(content) >= 1
    assert any(mark in text for text in texts for mark in A_MARKS)
    assert not [text for text in texts if any(mark in text for mark in B_MARKS)]


def test_another_task_forces_award_has_no_ledger_download(client, tables_of_both):
    program = tables_of_both
    client.force_login(program.officer_a)
    url = reverse("exports:table", args=["ledger", program.award_b.award_number])
    assert client.get(url).status_code == 404
    assert client.get(reverse("exports:table", args=["ledger"])).status_code == 404
    assert client.get(reverse("exports:table", args=["awards", "x"])).status_code == 404
    assert client.get(reverse("exports:table", args=["no_such_table"])).status_code == 404
    assert not _downloads().exists()


@pytest.mark.parametrize("case", FILTERED, ids=[case.name for case in FILTERED])
def test_the_page_filters_narrow_the_file(client, tables_of_both, case):
    program = tables_of_both
    client.force_login(program.pm)
    every = _rows(response_bytes(client.get(_url(program, case), case.wide)))
    narrowed = _rows(response_bytes(client.get(_url(program, case), case.narrow)))
    assert 1 <= narrowed < every


@pytest.mark.parametrize("case", CASES, ids=[case.name for case in CASES])
def test_each_table_download_records_the_files_sha256(client, tables_of_both, case):
    program = tables_of_both
    client.force_login(program.auditor)
    query = case.narrow or {}
    content = response_bytes(client.get(_url(program, case), query))
    event = _downloads().latest("pk")
    assert _downloads().count() == 1 and event.actor == program.auditor
    assert event.data["export"] == case.name and event.data["filters"] == query
    assert event.data["file_sha256"] == hashlib.sha256(content).hexdigest()
    assert event.data["rows"] == _rows(content)


def test_the_pages_link_their_downloads_with_the_filters_on_screen(client, tables_of_both):
    program = tables_of_both
    client.force_login(program.pm)
    for page, name, query in (
        ("reports:calendar", "calendar", "show=all&sort=due"),
        ("reports:measures", "measures", "task_force=va-alpha"),
        ("reports:reminders", "reminders", "stage=overdue"),
        ("grants:award_list", "awards", "award_number=00001"),
    ):
        body = client.get(f"{reverse(page)}?{query}").content.decode()
        assert f'href="{escape(reverse("exports:table", args=[name]) + "?" + query)}"' in body, page


# --- Documents ---------------------------------------------------------------------------


def _document_url(name: str, program, monkeypatch) -> str:
    """The download's URL, with the record it prints (the permission matrix builds both)."""
    if name in SHARED_REPORT_PAGES:
        declare_amendment_reports(monkeypatch)
    return url_with_its_record(name, program)


# URL name -> the export's name in the audit trail
DOCUMENTS = {
    "exports:sf425_pdf": "sf425_pdf",
    "exports:award_pdf": "award_pdf",
    "exports:amendment_pdf": "amendment_pdf",
    "exports:progress_pdf": "progress_pdf",
    "reports:report_pdf": "amendment_pdf",
    # The large files' old addresses: prepared in the background, then fetched.
    "exports:program_summary_pdf": "prepared_summary",
    "exports:program_workbook": "prepared_workbook",
    "exports:award_workbook": "prepared_workbook",
    "exports:award_pack": "prepared_pack",
    "exports:task_force_pack": "prepared_pack",
    "exports:fiscal_year_pack": "prepared_pack",
}


def test_every_download_url_is_tested():
    exports = get_resolver().namespace_dict["exports"][1]
    names = {f"exports:{name}" for name in exports.reverse_dict if isinstance(name, str)}
    # My downloads and its files: tests/reports/test_prepared_downloads.py.
    tested_elsewhere = {"exports:my_downloads", "exports:prepare_download", "exports:download"}
    tested_elsewhere |= {"exports:download_file", "exports:take_run"}
    # Each PDF document's page: tests/reports/test_document_pages.py.
    tested_elsewhere |= {
        "exports:sf425_html",
        "exports:amendment_html",
        "exports:progress_html",
        "exports:award_html",
        "exports:program_summary_html",
    }
    assert names | {"reports:report_pdf"} == {*DOCUMENTS, "exports:table", *tested_elsewhere}


@pytest.mark.parametrize("name", DOCUMENTS)
def test_each_document_download_records_the_files_sha256(client, program, monkeypatch, name):
    url = _document_url(name, program, monkeypatch)
    client.force_login(program.auditor)
    prepared = DOCUMENTS[name].startswith("prepared_")
    content = response_bytes(fetch_prepared(client, url) if prepared else client.get(url))
    event = _downloads().get()
    assert event.actor == program.auditor and event.data["export"] == DOCUMENTS[name]
    assert event.data["file_sha256"] == hashlib.sha256(content).hexdigest()
    assert event.data["filename"]
