"""Upload, dry run, then act: how every import keeps its file in between.

The file is received within its size limit and checked; a file that passes is kept
(models.KeptUpload) under its SHA-256, and the browser is sent to the review page named
by it. The review page reads the kept file and checks it again, shows the dry run, and
on its POST acts on exactly that file, checked against the data as they are then, and
then the file goes. A kept file is its uploader's alone (and its award's, for a ledger
file): anyone else naming it gets a 404. Files checked and never acted on expire after a
day, and the daily duties delete them (`delete_expired`): a page deletes nothing.
"""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django import forms
from django.contrib import messages
from django.http import HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils import timezone

from budgets.models import KeptUpload
from budgets.upload_rows import MAX_BYTES
from grants.lookups import get_or_404

KEPT_FOR = timedelta(days=1)
Purpose = KeptUpload.Purpose


def _fresh():
    """The kept files not yet expired: an expired one is gone for its pages, although
    only the daily duties delete it (`delete_expired`)."""
    return KeptUpload.objects.filter(uploaded_at__gte=timezone.now() - KEPT_FOR)


def delete_expired() -> int:
    """Delete the files kept longer than KEPT_FOR (the daily duties, `manage.py
    run_daily`); returns how many were deleted."""
    expired = KeptUpload.objects.filter(uploaded_at__lt=timezone.now() - KEPT_FOR)
    return expired.delete()[1].get(KeptUpload._meta.label, 0)


def receive(
    request,
    upload,
    *,
    purpose: str,
    check: Callable[[str, bytes], object],
    review: str,
    award=None,
    max_bytes: int = MAX_BYTES,
) -> HttpResponseRedirect:
    """Read the uploaded file (never more than one byte over `max_bytes`, so the check
    refuses a larger one by its size), check it with `check(filename, content)`, which
    raises the import's refusal, keep it and redirect to the URL named `review`, whose
    arguments are the award number (when there is an award) and the file's SHA-256."""
    content = upload.read(max_bytes + 1)
    check(upload.name, content)
    sha256 = hashlib.sha256(content).hexdigest()
    # Not only the fresh ones: an expired copy of the same file, not yet deleted, is
    # renewed (its uploaded_at is updated on save).
    KeptUpload.objects.update_or_create(
        purpose=purpose,
        award=award,
        uploaded_by=request.user,
        sha256=sha256,
        defaults={"filename": upload.name[:255], "content": content},
    )
    args = [award.award_number] if award is not None else []
    return redirect(review, *args, sha256)


def kept_or_404(request, *, purpose: str, sha256: str, award=None) -> KeptUpload:
    """The file `request.user` uploaded for `purpose` (and `award`) under `sha256`."""
    kept = _fresh().filter(purpose=purpose, award=award, uploaded_by=request.user)
    return get_or_404(kept, sha256=sha256)


def content(kept: KeptUpload) -> bytes:
    return bytes(kept.content)


def done(kept: KeptUpload) -> None:
    """The file was acted on: it is not kept any longer."""
    kept.delete()


@dataclass(frozen=True)
class KeptImport:
    """An import of a file with no award, through its upload page and its review page:
    `parse(filename, content)` reads and checks the file; `act(parsed, actor=, filename=,
    dry_run=)` runs the import; either raises `refused` (with `.errors`), shown on
    `template`. The dry run's result is shown as `result_name`; once acted on, the
    browser returns to the URL named `page` with `done_message(result, filename)`."""

    purpose: str
    form: type[forms.Form]  # the upload form, with its `file`
    parse: Callable[[str, bytes], object]
    act: Callable[..., object]
    refused: type[Exception]
    template: str
    result_name: str
    done_message: Callable[[object, str], str]
    page: str
    review: str  # the URL name of the review page, whose argument is the SHA-256


def upload(request, kind: KeptImport) -> HttpResponse:
    """The upload page: a file that reads is kept and the browser sent to its review."""
    form = kind.form(request.POST or None, request.FILES or None)
    errors = []
    if request.method == "POST" and form.is_valid():
        try:
            return receive(
                request,
                form.cleaned_data["file"],
                purpose=kind.purpose,
                check=kind.parse,
                review=kind.review,
            )
        except kind.refused as refusal:
            errors = [str(e) for e in refusal.errors]
    context = {"form": form, "errors": errors, kind.result_name: None, "filename": ""}
    return render(request, kind.template, context)


def review(request, sha256: str, kind: KeptImport) -> HttpResponse:
    """The review page of the kept file: its dry run (GET), then acting on it (POST),
    each reading and checking the file again; once acted on, the file goes."""
    kept = kept_or_404(request, purpose=kind.purpose, sha256=sha256)
    acting = request.method == "POST"
    context = {"form": kind.form(), "errors": [], kind.result_name: None}
    try:
        parsed = kind.parse(kept.filename, content(kept))
        result = kind.act(parsed, actor=request.user, filename=kept.filename, dry_run=not acting)
    except kind.refused as refusal:
        context["errors"] = [str(e) for e in refusal.errors]
    else:
        if acting:
            done(kept)
            messages.success(request, kind.done_message(result, kept.filename))
            return redirect(kind.page)
        context.update({kind.result_name: result, "filename": kept.filename})
    return render(request, kind.template, context)
