"""The documents of a record, attaching one, and downloading one."""

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.http import Http404
from django.shortcuts import redirect, render

from documents import parents, services
from documents.forms import AttachmentForm
from documents.selectors import attachments_for_user, attachments_of
from grants import access
from grants.lookups import get_or_404
from reports.exports.downloads import Written, send_file

CHUNK = 1 << 16


def _parent_or_404(request, kind_key: str, pk: int):
    kind = parents.BY_KEY.get(kind_key)
    if kind is None:
        raise Http404("No such record.")
    return kind, get_or_404(kind.readable(request.user), pk=pk)


@login_required
def parent_documents(request, kind: str, pk: int):
    """A record's documents, and the form to attach one for those who may."""
    kind, parent = _parent_or_404(request, kind, pk)
    award = kind.award_of(parent)
    may_attach = parents.may_attach(request.user, kind, award)
    form = AttachmentForm(
        request.POST or None, request.FILES or None, max_mb=settings.DOCUMENT_MAX_MB
    )
    if request.method == "POST":
        access.require(may_attach, "You may read this record's documents, not attach them.")
        if form.is_valid():
            try:
                attachment = services.attachment_add(
                    actor=request.user, parent=parent, upload=form.cleaned_data["file"]
                )
            except ValidationError as error:
                form.add_error("file", error.messages)
            else:
                messages.success(request, f"Attached {attachment.name}.")
                return redirect(request.path)
    return render(
        request,
        "documents/parent_documents.html",
        {
            "kind": kind,
            "parent": parent,
            "award": award,
            "title": kind.title(parent),
            "parent_url": kind.page(parent),
            "attachments": attachments_of(user=request.user, kind=kind, parent=parent),
            "form": form if may_attach else None,
        },
    )


@login_required
def download(request, pk: int):
    """The file as it was uploaded, as an attachment never shown inline, with the type
    its content showed; the download is in the audit trail with the file's SHA-256."""
    attachment = get_or_404(attachments_for_user(user=request.user), pk=pk)

    def write(handle) -> Written:
        with default_storage.open(attachment.file.name, "rb") as stored:
            while chunk := stored.read(CHUNK):
                handle.write(chunk)
        return Written(attachment.name, attachment.content_type, {"sha256": attachment.sha256})

    response = send_file(
        request,
        write,
        name="attachment",
        task_force=attachment.award.task_force,
        attachment=attachment.pk,
        award=attachment.award.award_number,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response
