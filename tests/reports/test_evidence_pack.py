"""Evidence packs: what is inside, that the manifest proves it, and that verify_pack
catches a changed, added, missing or dangerous file."""

import csv
import hashlib
import io
import json
import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse
from openpyxl import load_workbook

from grants.audit import AuditEvent
from reports.exports import packs
from reports.exports.xlsx import ExportFile
from reports.models import FinancialReport
from reports.report_types import PROGRESS_REPORT
from reports.services import report_review
from tests.reports.conftest import submit
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.workbook_helpers import response_bytes

NUMBER = "15PJDP-25-GK-00072-MECP"


@pytest.fixture
def filed(example):
    """Two SF-425s filed, then the second returned for correction."""
    program = example
    submit(program, program.example, date(2024, 12, 31))
    second = submit(program, program.example, date(2025, 3, 31))
    report_review(actor=program.pm, report=second, accept=False, comment="Explain the cash.")
    return program


def _pack(client, user, url_name, *args) -> tuple[bytes, zipfile.ZipFile]:
    client.force_login(user)
    response = fetch_prepared(client, reverse(url_name, args=args))
    assert response["Content-Type"] == "application/zip"
    assert response["Content-Disposition"].startswith('attachment; filename="evidence-pack-')
    assert response["Cache-Control"] == "no-store"
    content = response_bytes(response)
    return content, zipfile.ZipFile(BytesIO(content))


def _write(tmp_path, content: bytes, name="pack.zip"):
    path = tmp_path / name
    path.write_bytes(content)
    return path


def _rewrite(source: bytes, *, change=None, add=None, drop=None) -> bytes:
    """A copy of the pack with one member changed, added or left out."""
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(source)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            if info.filename == drop:
                continue
            data = old.read(info)
            if change and info.filename == change[0]:
                data = change[1](data)
            new.writestr(info.filename, data)
        for name, data in (add or {}).items():
            new.writestr(name, data)
    return out.getvalue()


def _flip_last_bytes(data: bytes) -> bytes:
    """The same length, different content: only the digest can tell."""
    return data[:-10] + bytes(b ^ 1 for b in data[-10:])


def test_award_pack_holds_workbook_filed_sf425s_and_manifest(client, filed):
    content, archive = _pack(client, filed.auditor, "exports:award_pack", NUMBER)
    names = sorted(archive.namelist())
    workbook = next(n for n in names if n.startswith("workbook/"))
    assert workbook.startswith(f"workbook/auditor-workbook-{NUMBER}-") and workbook.endswith(
        ".xlsx"
    )
    # Only the report still counted as filed; the returned one is not evidence yet.
    assert [n for n in names if n.startswith("sf425/")] == [f"sf425/SF-425-{NUMBER}-2024-12-31.pdf"]
    assert {"manifest.json", "manifest.csv"} <= set(names) and len(names) == 4
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["format"] == "icac-evidence-pack/1"
    assert manifest["selection"] == f"Award {NUMBER}" and manifest["created_by"] == "auditor"
    # The audit chain's head as the pack was written: the pack's own "prepared" event is
    # the next link after it.
    written = AuditEvent.objects.filter(action="reports.export.prepared").latest("pk")
    assert manifest["audit_chain_head"] == {
        "hash": written.prev_hash,
        "events": AuditEvent.objects.filter(pk__lt=written.pk).count(),
    }
    for entry in manifest["files"]:
        data = archive.read(entry["path"])
        assert entry["sha256"] == hashlib.sha256(data).hexdigest() and entry["bytes"] == len(data)
    rows = list(csv.reader(io.StringIO(archive.read("manifest.csv").decode())))
    assert rows[0] == ["path", "sha256", "bytes"]
    assert rows[1:] == [[f["path"], f["sha256"], str(f["bytes"])] for f in manifest["files"]]
    pdf = archive.read(f"sf425/SF-425-{NUMBER}-2024-12-31.pdf")
    assert pdf.startswith(b"%PDF-")
    wb = load_workbook(BytesIO(archive.read(workbook)))
    about = dict(wb["About"].iter_rows(values_only=True))
    assert about["SHA-256 of the data"] == manifest["workbook_data_sha256"]


def test_verify_pack_accepts_the_pack_as_downloaded(client, filed, tmp_path, capsys):
    content, _ = _pack(client, filed.auditor, "exports:award_pack", NUMBER)
    path = _write(tmp_path, content)
    call_command("verify_pack", str(path))
    assert capsys.readouterr().out.strip() == f"{path}: all 2 files match the manifest."


@pytest.mark.parametrize(
    "tamper, message",
    [
        (
            {"change": (f"sf425/SF-425-{NUMBER}-2024-12-31.pdf", _flip_last_bytes)},
            f"sf425/SF-425-{NUMBER}-2024-12-31.pdf: SHA-256 does not match the manifest (the file was changed)",
        ),
        (
            {"change": (f"sf425/SF-425-{NUMBER}-2024-12-31.pdf", lambda d: d + b"%")},
            f"sf425/SF-425-{NUMBER}-2024-12-31.pdf: ",
        ),
        (
            {"add": {"sf425/extra.pdf": b"%PDF-1.4"}},
            "sf425/extra.pdf: not listed in the manifest (unexpected file)",
        ),
        (
            {"add": {"../evil.txt": b"x"}},
            "'../evil.txt': refused, a path that climbs out of the pack (..)",
        ),
        ({"add": {"/etc/cron.d/x": b"x"}}, "'/etc/cron.d/x': refused, an absolute or unusual path"),
        (
            {"drop": f"sf425/SF-425-{NUMBER}-2024-12-31.pdf"},
            "listed in the manifest but missing from the pack",
        ),
        ({"drop": "manifest.json"}, "manifest.json: missing; the pack cannot be checked"),
        (
            {"change": ("manifest.csv", lambda d: d.replace(b"bytes", b"size"))},
            "manifest.csv: does not match manifest.json",
        ),
    ],
    ids=[
        "changed",
        "longer",
        "extra-file",
        "traversal",
        "absolute",
        "missing",
        "no-manifest",
        "csv",
    ],
)
def test_verify_pack_names_what_is_wrong(client, filed, tmp_path, capsys, tamper, message):
    content, _ = _pack(client, filed.auditor, "exports:award_pack", NUMBER)
    path = _write(tmp_path, _rewrite(content, **tamper))
    with pytest.raises(CommandError, match="does not match its manifest") as raised:
        call_command("verify_pack", str(path))
    assert raised.value.returncode == 1
    assert message in capsys.readouterr().err


def test_verify_pack_refuses_what_is_not_a_zip(tmp_path):
    path = _write(tmp_path, b"not a zip at all")
    with pytest.raises(CommandError) as raised:
        call_command("verify_pack", str(path))
    assert raised.value.returncode == 2
    with pytest.raises(CommandError, match="no such file") as raised:
        call_command("verify_pack", str(tmp_path / "missing.zip"))
    assert raised.value.returncode == 2


def test_task_force_and_year_packs_are_scoped(client, filed):
    _, archive = _pack(client, filed.officer_a, "exports:task_force_pack", "va-alpha")
    assert [n for n in archive.namelist() if n.startswith("sf425/")] == [
        f"sf425/SF-425-{NUMBER}-2024-12-31.pdf"
    ]
    client.force_login(filed.officer_b)
    assert client.get(reverse("exports:task_force_pack", args=["va-alpha"])).status_code == 404
    _, archive = _pack(client, filed.officer_b, "exports:fiscal_year_pack", 2025)
    assert not [n for n in archive.namelist() if n.startswith("sf425/")]
    manifest = json.loads(archive.read("manifest.json"))
    assert manifest["scope"] == "your task force only: Bravo ICAC Task Force"
    workbook = load_workbook(BytesIO(archive.read(manifest["files"][0]["path"])))
    awards = [r[0] for r in workbook["Awards"].iter_rows(min_row=2, values_only=True)]
    assert awards[:-1] == ["15PJDP-25-GK-00002-MECP"] and awards[-1] == "Total"
    client.force_login(filed.auditor)
    assert client.get(reverse("exports:fiscal_year_pack", args=[1900])).status_code == 404


def test_pack_download_is_audited(client, filed):
    content, _ = _pack(client, filed.pm, "exports:fiscal_year_pack", 2025)
    event = AuditEvent.objects.filter(action="reports.export.downloaded").latest("pk")
    assert event.actor == filed.pm and event.data["export"] == "prepared_pack"
    assert event.data["file_sha256"] == hashlib.sha256(content).hexdigest()
    # Its preparation names each file inside with its digest.
    written = AuditEvent.objects.get(action="reports.export.prepared", object_id=event.object_id)
    assert written.data["file_sha256"] == event.data["file_sha256"]
    assert [f["path"].split("/")[0] for f in written.data["files"]] == ["workbook", "sf425"]


def test_a_new_report_type_joins_the_pack_with_one_registration(client, filed, monkeypatch):
    """A further report type needs one DocumentBuilder, nothing else."""
    monkeypatch.setattr(packs, "DOCUMENT_BUILDERS", list(packs.DOCUMENT_BUILDERS))
    packs.register(
        packs.DocumentBuilder(
            "other",
            lambda awards: FinancialReport.objects.filter(award__in=awards),
            lambda report, generated_by: ExportFile(
                f"progress-{report.period_end}.txt", "text/plain", f"{generated_by}".encode()
            ),
        )
    )
    content, archive = _pack(client, filed.auditor, "exports:award_pack", NUMBER)
    assert sorted(n for n in archive.namelist() if n.startswith("other/")) == [
        "other/progress-2024-12-31.txt",
        "other/progress-2025-03-31.txt",
    ]
    problems, checked = packs.verify_pack(BytesIO(content))
    assert (problems, checked) == ([], 4)


def test_filed_progress_reports_are_in_the_pack_as_pdfs(client, filed, tmp_path):
    from tests.reports.test_pdf_documents import _file_progress, has_line, lines_of

    _file_progress(filed)
    content, archive = _pack(client, filed.auditor, "exports:award_pack", NUMBER)
    name = f"progress/progress-{NUMBER}-2024-12-31.pdf"
    assert [n for n in archive.namelist() if n.startswith("progress/")] == [name]
    assert has_line(lines_of(archive.read(name), tmp_path), "Opened 40 investigations.")
    assert packs.verify_pack(BytesIO(content))[0] == []


def test_progress_documents_read_their_task_force_with_the_report(filed):
    """The pack builds a PDF per filed progress report; none reads its task force again."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from grants.models import Award
    from tests.reports.test_pdf_documents import _file_progress

    _file_progress(filed)
    reports = list(PROGRESS_REPORT.filed_reports(Award.objects.filter(award_number=NUMBER)))
    assert [r.period_end for r in reports] == [date(2024, 12, 31)]
    with CaptureQueriesContext(connection) as captured:
        PROGRESS_REPORT.build_document(reports[0], generated_by="auditor")
    assert not [q for q in captured.captured_queries if '"grants_taskforce"' in q["sql"]]
