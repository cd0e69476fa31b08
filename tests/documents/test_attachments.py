"""Attaching documents to awards, reports, budget changes and amendments: who may, what
is refused and leaves nothing behind, what the audit trail says, and downloads that stay
inside the person's task force."""

import hashlib
from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.storage import default_storage
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from budgets.modifications import budget_modification_propose
from documents.models import Attachment
from documents.services import ADDED, attachment_add, shown_name
from grants.amendments import extension_request
from grants.audit import AuditEvent
from reports.exports.downloads import DOWNLOADED
from tests.budgets.test_modification_views import big  # noqa: F401
from tests.budgets.test_modifications import V1, lines, moved
from tests.documents import files
from tests.documents.conftest import stored_files
from tests.reports.conftest import submit


def page_url(kind: str, pk: int) -> str:
    return reverse("documents:parent", args=[kind, pk])


def attach(client, user, kind: str, pk: int, name: str, content: bytes):
    client.force_login(user)
    return client.post(page_url(kind, pk), {"file": files.upload(name, content)})


def test_officer_attaches_a_pdf_to_the_award_stored_with_its_sha256(client, program, media):
    response = attach(
        client, program.officer_a, "award", program.award_a.pk, "Receipts.pdf", files.PDF
    )
    assert response.status_code == 302
    attachment = Attachment.objects.get()
    assert (attachment.award, attachment.parent_field) == (program.award_a, "award")
    assert (attachment.name, attachment.kind, attachment.content_type) == (
        "Receipts.pdf",
        "pdf",
        "application/pdf",
    )
    assert attachment.size == len(files.PDF)
    assert attachment.sha256 == hashlib.sha256(files.PDF).hexdigest()
    # Stored through the storage under a name the app made up, not the uploaded one.
    [path] = stored_files(media)
    assert path.read_bytes() == files.PDF and "Receipts" not in path.name
    with default_storage.open(attachment.file.name) as stored:
        assert stored.read() == files.PDF
    page = client.get(response["Location"]).content.decode()
    assert "Attached Receipts.pdf." in page and attachment.sha256[:12] in page


def test_attaching_is_an_audit_event_with_name_size_and_sha256(program):
    attachment = attach_pdf(program.officer_a, program.award_a)
    event = AuditEvent.objects.get(action=ADDED)
    assert (event.actor, event.task_force, event.object_id) == (
        program.officer_a,
        program.task_force_a,
        str(attachment.pk),
    )
    assert event.data == {
        "attached_to": f"Award {program.award_a.award_number}",
        "name": "receipts.pdf",
        "kind": "pdf",
        "bytes": len(files.PDF),
        "sha256": hashlib.sha256(files.PDF).hexdigest(),
    }


def attach_pdf(user, parent, name="receipts.pdf", content=files.PDF):
    return attachment_add(actor=user, parent=parent, upload=files.upload(name, content))


@pytest.mark.parametrize(
    "name, content, message",
    [
        (
            "invoice.pdf",
            files.PNG,
            "The file is named .pdf but is a PNG image, not a PDF document.",
        ),
        (
            "budget.xlsm",
            files.xlsm(),
            "Office files with macros (.xlsm) are not accepted; save it without macros "
            "(.xlsx or .docx) and attach it again.",
        ),
        (
            "budget.xlsx",
            files.xlsm(),
            "The file is named .xlsx but holds macros, which are not accepted; save it "
            "without macros and attach it again.",
        ),
    ],
)
def test_a_refused_file_is_named_on_the_form_and_nothing_is_kept(
    client, program, media, name, content, message
):
    response = attach(client, program.officer_a, "award", program.award_a.pk, name, content)
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem with what you entered" in page
    assert message.replace("'", "&#x27;") in page
    assert not Attachment.objects.exists()
    assert stored_files(media) == []
    assert not AuditEvent.objects.filter(action=ADDED).exists()


def test_a_file_over_the_size_setting_is_refused(client, program, media, settings):
    settings.DOCUMENT_MAX_MB = 1
    content = files.PDF + bytes(1024 * 1024)
    response = attach(client, program.officer_a, "award", program.award_a.pk, "big.pdf", content)
    assert (
        f"The file is {len(content):,} bytes, more than the 1 MB (1,048,576 bytes) a document "
        "may be." in response.content.decode()
    )
    assert not Attachment.objects.exists() and stored_files(media) == []


def test_the_page_says_the_limit_and_kinds(client, program, settings):
    settings.DOCUMENT_MAX_MB = 7
    client.force_login(program.officer_a)
    page = client.get(page_url("award", program.award_a.pk)).content.decode()
    assert "A PDF, XLSX, DOCX, PNG, JPEG or GIF file, at most 7 MB." in page


@pytest.mark.parametrize(
    "uploaded, shown",
    [
        ("..\\..\\x.pdf", "x.pdf"),
        ("evil\u202efdp.exe.pdf", "evil fdp.exe.pdf"),
        ("Nguyễn Văn Đức.docx", "Nguyễn Văn Đức.docx"),
        ("a\r\nSet-Cookie: x.pdf", "a Set-Cookie x.pdf"),
    ],
)
def test_names_are_shown_without_paths_controls_or_reordering(uploaded, shown):
    assert shown_name(uploaded) == shown


def test_a_name_with_a_path_and_quotes_is_reduced_to_a_plain_file_name(program):
    attachment = attach_pdf(program.officer_a, program.award_a, name='../../a"; filename="e.pdf')
    assert attachment.name == "a filename= e.pdf"


def test_auditor_downloads_as_an_attachment_with_its_type_and_the_download_is_audited(
    client, program
):
    attachment = attach_pdf(program.officer_a, program.award_a, name="Receipts March.pdf")
    client.force_login(program.auditor)
    response = client.get(reverse("documents:download", args=[attachment.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == files.PDF
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'attachment; filename="Receipts March.pdf"'
    assert response["X-Content-Type-Options"] == "nosniff"
    event = AuditEvent.objects.filter(action=DOWNLOADED).get()
    assert event.actor == program.auditor
    assert event.data["file_sha256"] == attachment.sha256
    assert event.data["attachment"] == attachment.pk


def test_another_task_force_gets_404_for_the_download_the_page_and_an_upload(
    client, program, media
):
    attachment = attach_pdf(program.officer_a, program.award_a)
    client.force_login(program.officer_b)
    assert client.get(reverse("documents:download", args=[attachment.pk])).status_code == 404
    assert client.get(page_url("award", program.award_a.pk)).status_code == 404
    response = client.post(
        page_url("award", program.award_a.pk), {"file": files.upload("x.pdf", files.PDF)}
    )
    assert response.status_code == 404
    assert Attachment.objects.count() == 1 and len(stored_files(media)) == 1
    # Their own award's page lists nothing of task force A.
    page = client.get(page_url("award", program.award_b.pk)).content.decode()
    assert "receipts.pdf" not in page and "No documents attached." in page


def test_auditor_reads_but_may_not_attach(client, program, media):
    attach_pdf(program.officer_a, program.award_a)
    client.force_login(program.auditor)
    page = client.get(page_url("award", program.award_a.pk)).content.decode()
    assert "receipts.pdf" in page and "Attach a document" not in page
    response = attach(client, program.auditor, "award", program.award_a.pk, "x.pdf", files.PDF)
    assert response.status_code == 403
    with pytest.raises(PermissionDenied):
        attach_pdf(program.auditor, program.award_a)
    assert Attachment.objects.count() == 1


def test_program_staff_and_the_grant_administrator_attach_to_the_award(program):
    attach_pdf(program.pm, program.award_a, name="award-letter.pdf")
    attach_pdf(program.approver, program.award_a, name="asap.png", content=files.PNG)
    attach_pdf(program.gadmin_a, program.award_a, name="signed.docx", content=files.docx())
    assert sorted(Attachment.objects.values_list("name", "kind")) == [
        ("asap.png", "png"),
        ("award-letter.pdf", "pdf"),
        ("signed.docx", "docx"),
    ]


def test_the_sf425_takes_documents_from_its_filers_not_the_grant_administrator(client, example):
    report = submit(example, example.example, date(2024, 12, 31))
    attachment = attach_pdf(example.officer_a, report, name="bank.xlsx", content=files.xlsx())
    assert (attachment.financial_report, attachment.award) == (report, example.example)
    with pytest.raises(PermissionDenied):
        attach_pdf(example.gadmin_a, report)
    client.force_login(example.auditor)
    page = client.get(
        reverse("reports:sf425_detail", args=[example.example.award_number, "2024-12-31"])
    ).content.decode()
    assert 'data-testid="documents-panel"' in page and "bank.xlsx" in page
    # The award's page lists it with the record it belongs to.
    award_page = client.get(example.example.get_absolute_url()).content.decode()
    assert "SF-425 for the period ending 12/31/2024" in award_page


def test_a_budget_change_and_an_amendment_take_documents(client, big):  # noqa: F811
    modification = budget_modification_propose(
        actor=big.officer_a, award=big.big, lines=lines(moved(V1, "D", "A", "30000.00"))
    )
    attach_pdf(big.officer_a, modification, name="quote.pdf")
    amendment = extension_request(
        actor=big.gadmin_a,
        award=big.big,
        new_end=date(2027, 3, 31),
        reason="Trial delayed",
        today=date(2026, 8, 1),
    )
    attach_pdf(big.gadmin_a, amendment, name="court-order.pdf")
    with pytest.raises(PermissionDenied):
        attach_pdf(big.officer_b, amendment)
    client.force_login(big.officer_a)
    detail = client.get(reverse("modifications:detail", args=[modification.pk])).content.decode()
    assert "quote.pdf" in detail and "court-order.pdf" not in detail
    amendments = client.get(reverse("amendments:list")).content.decode()
    assert page_url("amendment", amendment.pk) in amendments
    page = client.get(page_url("amendment", amendment.pk)).content.decode()
    assert "court-order.pdf" in page and "Amendment 1 (No-cost extension)" in page


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL trigger")
def test_the_database_refuses_to_change_or_delete_an_attachment(program):
    attachment = attach_pdf(program.officer_a, program.award_a)
    for change in (
        lambda: Attachment.objects.filter(pk=attachment.pk).update(name="other.pdf"),
        lambda: Attachment.objects.filter(pk=attachment.pk).delete(),
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            change()
    assert Attachment.objects.get().name == "receipts.pdf"
