"""Upload, dry run, then act: how every import keeps its file in between.

The file is received within its size limit and checked; a file that passes is kept
(models.KeptUpload) under its SHA-256, and the browser is sent to the review page named
by it. The review page reads the kept file and checks it again, shows the dry run, and
on its POST acts on exactly that file, checked against the data as they are then, and
then the file goes. A kept file is its uploader's alone (and its award's, for a ledger
file): anyone else naming it gets a 404. Files checked and never acted on go after a day.
"""

import hashlib
from collections.abc import Callable
from datetime import timedelta

from django.http import HttpResponseRedirect
from django.shortcuts import redirect
from django.utils import timezone

from budgets.models import KeptUpload
from budgets.upload_rows import MAX_BYTES
from grants.lookups import get_or_404

KEPT_FOR = timedelta(days=1)
Purpose = KeptUpload.Purpose


def _fresh():
    """The kept files not yet expired; the expired ones are deleted on the way."""
    KeptUpload.objects.filter(uploaded_at__lt=timezone.now() - KEPT_FOR).delete()
    return KeptUpload.objects.all()


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
    _fresh().update_or_create(
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
