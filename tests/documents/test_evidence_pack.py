"""Attachments in evidence packs: each file as it was attached, listed in the manifest
with the SHA-256 recorded when it was attached, and the pack still verifies."""

import hashlib
import json
import zipfile
from datetime import date
from io import BytesIO

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

from documents.packs import AttachmentChanged
from documents.services import attachment_add
from reports.models import PreparedDownload
from tests.documents import files
from tests.reports.conftest import submit
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.workbook_helpers import response_bytes

NUMBER = "15PJDP-25-GK-00072-MECP"


@pytest.fixture
def attached(example):
    report = submit(example, example.example, date(2024, 12, 31))
    example.on_report = attachment_add(
        actor=example.officer_a,
        parent=report,
        upload=files.upload("Bank statement.xlsx", files.xlsx()),
    )
    example.on_award = attachment_add(
        actor=example.pm, parent=example.example, upload=files.upload("award.pdf", files.PDF)
    )
    # Task force B's document is in no pack of task force A's award.
    attachment_add(
        actor=example.officer_b, parent=example.award_b, upload=files.upload("b.pdf", files.PDF)
    )
    return example


def award_pack(client, user) -> bytes:
    client.force_login(user)
    response = fetch_prepared(client, reverse("exports:award_pack", args=[NUMBER]))
    assert response.status_code == 200
    return response_bytes(response)


def test_the_award_pack_carries_each_attachment_with_its_recorded_sha256(client, attached):
    archive = zipfile.ZipFile(BytesIO(award_pack(client, attached.auditor)))
    manifest = {f["path"]: f for f in json.loads(archive.read("manifest.json"))["files"]}
    on_award, on_report = attached.on_award, attached.on_report
    expected = {
        f"attachments/{NUMBER}-award-{on_award.pk}-award.pdf": on_award,
        f"attachments/{NUMBER}-financial-report-{on_report.pk}-bank-statement.xlsx": on_report,
    }
    assert sorted(p for p in manifest if p.startswith("attachments/")) == sorted(expected)
    for path, attachment in expected.items():
        assert manifest[path]["sha256"] == attachment.sha256
        assert manifest[path]["bytes"] == attachment.size
        assert hashlib.sha256(archive.read(path)).hexdigest() == attachment.sha256
    assert archive.read(f"attachments/{NUMBER}-award-{on_award.pk}-award.pdf") == files.PDF


def test_verify_pack_still_verifies_a_pack_with_attachments(client, attached, tmp_path, capsys):
    path = tmp_path / "pack.zip"
    path.write_bytes(award_pack(client, attached.auditor))
    call_command("verify_pack", str(path))
    # The workbook, the SF-425's PDF and the two documents.
    assert capsys.readouterr().out.strip() == f"{path}: all 4 files match the manifest."


def test_verify_pack_catches_a_changed_attachment(client, attached, tmp_path):
    content = award_pack(client, attached.auditor)
    out = BytesIO()
    with zipfile.ZipFile(BytesIO(content)) as old, zipfile.ZipFile(out, "w") as new:
        for info in old.infolist():
            data = old.read(info)
            if info.filename.endswith("-award.pdf"):
                data = data.replace(b"Catalog", b"Katalog")
            new.writestr(info.filename, data)
    path = tmp_path / "changed.zip"
    path.write_bytes(out.getvalue())
    with pytest.raises(CommandError):
        call_command("verify_pack", str(path))


def test_a_stored_file_changed_since_it_was_attached_is_not_packed(client, attached):
    name = attached.on_award.file.name
    default_storage.delete(name)
    default_storage.save(name, BytesIO(files.PDF.replace(b"Catalog", b"Katalog")))
    client.force_login(attached.auditor)
    with pytest.raises(AttachmentChanged, match="no longer matches the SHA-256 recorded"):
        fetch_prepared(client, reverse("exports:award_pack", args=[NUMBER]))
    # The person is told the file could not be written; nothing was stored.
    download = PreparedDownload.objects.get()
    assert (download.status, download.storage_name) == ("failed", "")
    assert download.error.startswith("The file could not be written.")
