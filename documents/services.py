"""Attaching a document: the one write of this app. Attachments are never edited; the
file and its row stay as they were uploaded (the evidence pack and the audit trail name
them by their SHA-256)."""

import hashlib
import re
import uuid

from django.conf import settings
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone

from documents.content import MB, check_document
from documents.models import Attachment
from documents.parents import kind_of, may_attach
from grants import access
from grants.audit import audit_record

ADDED = "documents.attachment.added"


def max_bytes() -> int:
    return settings.DOCUMENT_MAX_MB * MB


# Characters a file system or a header could read as more than a name's letters, and
# the controls that make a name display in another order than it is (".pdf" hidden).
UNSAFE = re.compile(r'[\x00-\x1f\x7f<>:"/\\|?*;\u200e\u200f\u202a-\u202e\u2066-\u2069]+')


def shown_name(name: str) -> str:
    """The uploaded name as the pages show it and downloads offer it: the last part of
    any path, without control characters, quotes or separators, at most 150 long
    (the stored file's own name is made up by the app)."""
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = " ".join(UNSAFE.sub(" ", base).split()).lstrip(". ")
    stem, dot, extension = cleaned.rpartition(".")
    if not dot:
        return cleaned[:150] or "document"
    return f"{stem[: 149 - len(extension)].rstrip() or 'document'}.{extension}"


@transaction.atomic
def attachment_add(*, actor, parent, upload) -> Attachment:
    """Attach `upload` (a Django UploadedFile) to `parent`: an award, an SF-425, a
    progress report, a budget change or an amendment. A file refused by its content is a
    ValidationError saying what was wrong (documents.content), before anything is stored;
    a failure after the file is stored removes it again."""
    kind = kind_of(parent)
    award = kind.award_of(parent)
    access.require(
        may_attach(actor, kind, award),
        "Only the program office and the task force's staff who act on it attach documents.",
    )
    name = shown_name(upload.name or "")
    checked = check_document(name, upload, max_bytes=max_bytes())
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    # A name the app makes up: nothing of the uploaded name reaches the storage.
    stored = default_storage.save(
        f"documents/{award.pk}/{uuid.uuid4().hex}.{checked.extensions[0].lstrip('.')}", upload
    )
    try:
        attachment = Attachment.objects.create(
            award=award,
            **({} if kind.field == "award" else {kind.field: parent}),
            file=stored,
            name=name,
            kind=checked.key,
            content_type=checked.content_type,
            size=upload.size,
            sha256=digest.hexdigest(),
            uploaded_by=actor,
            uploaded_at=timezone.now(),
        )
        audit_record(
            actor=actor,
            action=ADDED,
            obj=attachment,
            task_force=award.task_force,
            data={
                "attached_to": kind.title(parent),
                "name": name,
                "kind": checked.key,
                "bytes": upload.size,
                "sha256": attachment.sha256,
            },
        )
    except BaseException:
        default_storage.delete(stored)
        raise
    return attachment
