"""Attachments in evidence packs: every document of the selected awards, in the folder
`attachments/`, under a name that says which award and record it belongs to. The pack's
manifest lists each with its SHA-256, which is the one recorded when it was attached; a
stored file that no longer matches it is refused rather than packed."""

import hashlib

from django.core.files.storage import default_storage
from django.utils.text import slugify

from documents.models import PARENT_FIELDS, Attachment
from reports.exports.packs import DocumentBuilder, register
from reports.exports.xlsx import ExportFile

FOLDER = "attachments"


class AttachmentChanged(Exception):
    """A stored document differs from what was attached: the pack is not written."""


def pack_name(attachment: Attachment) -> str:
    stem, dot, extension = attachment.name.rpartition(".")
    parent = attachment.parent_field.replace("_", "-")
    return (
        f"{attachment.award.award_number}-{parent}-{attachment.pk}-"
        f"{slugify(stem) or 'document'}.{attachment.kind if not dot else extension.lower()}"
    )


def _attachments(awards):
    return (
        Attachment.objects.filter(award__in=awards)
        .select_related("award", *PARENT_FIELDS)
        .order_by("award__award_number", "pk")
    )


def _build(attachment: Attachment, *, generated_by: str) -> ExportFile:
    with default_storage.open(attachment.file.name, "rb") as stored:
        content = stored.read()
    if hashlib.sha256(content).hexdigest() != attachment.sha256:
        raise AttachmentChanged(
            f"The stored file of attachment {attachment.pk} ({attachment.name}) no longer "
            "matches the SHA-256 recorded when it was attached."
        )
    return ExportFile(pack_name(attachment), attachment.content_type, content)


register(DocumentBuilder(FOLDER, _attachments, _build))
