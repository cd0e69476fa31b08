"""Reading attachments, always as far as the person may read their awards."""

from django.db.models import QuerySet

from documents.models import PARENT_FIELDS, Attachment
from documents.parents import ParentKind
from grants import access


def attachments_for_user(*, user) -> QuerySet[Attachment]:
    return Attachment.objects.filter(
        access.task_force_scope(user, field="award__task_force")
    ).select_related("award", "award__task_force", "uploaded_by", *PARENT_FIELDS)


def attachments_of(*, user, kind: ParentKind, parent) -> QuerySet[Attachment]:
    """The documents attached to `parent` itself; for an award, every document of the
    award, whatever record of it they are attached to."""
    documents = attachments_for_user(user=user)
    if kind.field == "award":
        return documents.filter(award=parent)
    return documents.filter(**{kind.field: parent})
