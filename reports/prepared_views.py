"""My downloads: ask for a large file, watch it being prepared, fetch it
(reports.prepared). Every page and file is the person's own: anyone else's is a 404.

The old addresses of these files (/exports/auditor-workbook.xlsx, the evidence packs'
.zip, the program summary's .pdf) no longer write them in the request: they lead here
(`ask_to_prepare`), where one button asks for the file to be prepared."""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from reports import prepared
from reports.models import PreparedDownload
from reports.workers import alive_workers

# How often an unfinished download's page reloads itself (a <meta> refresh: no script):
# a large file takes minutes, so its page need not ask every other second.
REFRESH_SECONDS = 2
REFRESH_SECONDS_LARGE = 5


def _refresh(downloads) -> int | None:
    """Seconds until a page showing `downloads` reloads itself: None once all are done."""
    unfinished = [download for download in downloads if not download.is_finished]
    if not unfinished:
        return None
    return min(
        REFRESH_SECONDS_LARGE if download.queue == prepared.LARGE_QUEUE else REFRESH_SECONDS
        for download in unfinished
    )


def ask_to_prepare(
    kind: str, *, fiscal_year: int | None = None, task_force: str = "", award: str = ""
) -> HttpResponseRedirect:
    """To My downloads, offering to prepare the file `kind` of the selection: where an
    old address of a large file leads (a GET changes nothing; the button posts)."""
    query = {"kind": kind, "fy": fiscal_year or "", "task_force": task_force, "award": award}
    query = urlencode({key: value for key, value in query.items() if value})
    return HttpResponseRedirect(f"{reverse('exports:my_downloads')}?{query}")


def _selection(request, data):
    return prepared.selection_for(
        user=request.user,
        fiscal_year=_fiscal_year(data.get("fy", "")),
        task_force_code=data.get("task_force", ""),
        award_number=data.get("award", ""),
    )


def _offer(request) -> dict | None:
    """The file the address asks to prepare (?kind=...), checked as a request would be."""
    kind = request.GET.get("kind")
    if not kind:
        return None
    try:
        selection = _selection(request, request.GET)
        prepared.check_request(user=request.user, kind=kind, selection=selection)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return None
    except PermissionDenied:
        # An address passed on by someone else: the page is still theirs to see.
        messages.error(request, PROGRAM_OFFICE_ONLY)
        return None
    return {
        "kind": kind,
        "fy": selection.fiscal_year or "",
        "task_force": selection.task_force.code if selection.task_force else "",
        "award": selection.award.award_number if selection.award else "",
        "label": prepared.label_of(kind, selection),
    }


PROGRAM_OFFICE_ONLY = (
    "The program summary is for the program office; you cannot ask for it, and nothing was queued."
)


@login_required
def my_downloads(request):
    offer = _offer(request)
    # A file whose worker died shows as failed, not "being prepared" until it expires;
    # marking it so is the sweep's work (reports.workers), not a GET's.
    downloads = prepared.as_shown(prepared.downloads_of(request.user)[:50])
    return render(
        request,
        "reports/downloads.html",
        {
            "offer": offer,
            "downloads": downloads,
            "refresh": None if offer else _refresh(downloads),
        },
    )


def _fiscal_year(value: str) -> int | None:
    if value in (None, ""):
        return None
    if not value.isdigit():
        raise ValidationError(f"Fiscal year must be a year such as 2025; got {value[:20]!r}.")
    return int(value)


@login_required
@require_POST
def prepare(request):
    """Queue a file; the page of the download then shows its progress."""
    try:
        selection = _selection(request, request.POST)
        download = prepared.request_download(
            user=request.user, kind=request.POST.get("kind", ""), selection=selection
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("exports:my_downloads")
    return redirect("exports:download", pk=download.pk)


@login_required
def download(request, pk):
    try:
        item = prepared.downloads_of(request.user).get(pk=pk)
    except PreparedDownload.DoesNotExist:
        raise Http404("No such download.") from None
    workers = {} if item.is_finished else alive_workers()  # read once
    alive = set(workers)
    (item,) = prepared.as_shown([item], alive=alive)
    under_way = prepared.run_under_way(item, alive=alive)
    return render(
        request,
        "reports/download.html",
        {
            "download": item,
            "ahead": prepared.ahead_of(item, alive=workers),
            "under_way": under_way and _run_offer(item, under_way),
            "refresh": _refresh([item]),
        },
    )


def _run_offer(download: PreparedDownload, run: PreparedDownload) -> dict:
    """What the page says of the run writing the same file (prepared.run_under_way)."""
    before = (download.requested_at - run.data_as_of).total_seconds()
    return {"run": run, "before_asked": _duration(before) if before > 0 else ""}


def _duration(seconds: float) -> str:
    """`seconds` as a person says it: "45 seconds", "3 minutes", "1 hour 5 minutes"."""
    seconds = max(1, round(seconds))
    if seconds < 120:
        return f"{seconds} second{'s' if seconds != 1 else ''}"
    hours, minutes = divmod(round(seconds / 60), 60)
    parts = [f"{hours} hour{'s' if hours != 1 else ''}"] if hours else []
    if minutes:
        parts.append(f"{minutes} minute{'s' if minutes != 1 else ''}")
    return " ".join(parts)


@login_required
@require_POST
def take_run(request, pk):
    """Take the file being written for others instead of waiting for one's own."""
    try:
        prepared.take_run_under_way(user=request.user, download_id=pk)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("exports:download", pk=pk)


@login_required
def download_file(request, pk):
    item, handle = prepared.open_for(user=request.user, download_id=pk)
    return FileResponse(
        handle, as_attachment=True, filename=item.filename, content_type=item.content_type
    )
