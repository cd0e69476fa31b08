"""Downloads prepared in the background: the whole program's auditor workbook, its ledger
as CSV, evidence packs and the program summary, written by a worker
(`manage.py db_worker`, django-tasks with its database backend) while the person does
something else.

1. `request_download` checks what the person asked for against their scope, records a
   `PreparedDownload` and queues `reports.tasks.prepare_download` once it is committed,
   the smallest file first (`queue_priority`).
2. The worker runs `prepare`: it counts the rows to write, writes the file to a temporary
   file while it reports the rows written, stores the file in the default storage (never
   a path of this server, so any app server can serve it) with its SHA-256, and records
   `reports.export.prepared` in the audit trail. The same workbook or CSV asked for by
   others who read the whole program, still waiting for a worker, is written in the
   same run and stored for each of them (`_join_waiting`): a fiscal year's workbook
   asked for by every auditor at once is one run, not one each. Someone who asks once
   the run has started may take it too, its data read before they asked, which the
   page tells them (`run_under_way`, `take_run_under_way`).
3. The person's "My downloads" page shows the progress, then the file and its SHA-256
   (the download's own page says too what a waiting file waits for: `ahead_of`);
   fetching it is recorded as every download is (`reports.export.downloaded`). Nobody
   else can see or fetch it: for anyone else it does not exist (404).
4. A file that cannot be written is marked failed with the reason the person sees, and
   recorded (`reports.export.failed`); so is one whose worker died while writing it, or
   after claiming its task but before starting on it (its heartbeat stopped:
   `fail_abandoned`, run by the workers' sweep and the daily duties, reports/workers.py).
   Until then the pages show it failed, without writing (`as_shown`). They can ask again.
5. The daily duties delete files past their `expires_on` (`delete_expired`).

Every file is written as the owner would get it from the page: every sheet and document
is read through the owner's scope, again, when the worker writes it.
"""

import logging
import math
import tempfile
import time as clock
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import IO

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files import File
from django.core.files.storage import default_storage
from django.db import DEFAULT_DB_ALIAS, connections, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone
from django_tasks.base import DEFAULT_TASK_QUEUE_NAME, TASK_MIN_PRIORITY
from django_tasks_db.models import DBTaskResult

from budgets.models import LedgerEntry
from grants import access, selectors
from grants.audit import audit_record
from grants.models import FIRST_FISCAL_YEAR, TaskForce
from reports.exports.downloads import DOWNLOADED, Written, file_sha256
from reports.exports.packs import ZIP_TYPE, write_pack
from reports.exports.summary_pdf import build_program_summary_pdf, program_summary_pdf_filename
from reports.exports.workbooks import (
    Selection,
    consistent_snapshot,
    ledger_sheet,
    selection_about,
    selection_sheets,
    workbook_filename,
)
from reports.exports.xlsx import XLSX_TYPE, rows_to_write, write_csv, write_workbook
from reports.models import PreparedDownload
from reports.workers import WorkerStopped, alive_worker_ids, queues_without_a_worker

logger = logging.getLogger(__name__)

REQUESTED = "reports.export.requested"
PREPARED = "reports.export.prepared"
EXPIRED = "reports.export.expired"
FAILED = "reports.export.failed"
TOOK_RUN = "reports.export.took_run"
CSV_TYPE = "text/csv; charset=utf-8"
PDF_TYPE = "application/pdf"
STORAGE_FOLDER = "prepared-downloads"
LARGE_QUEUE = "large"  # files of LARGE_FILE_ROWS rows or more (queue_of)
# The progress is written at most this often, so a fast export is not slowed by it.
PROGRESS_SECONDS = 1.0

Kind = PreparedDownload.Kind


# --- Asking for a file --------------------------------------------------------------------


def selection_for(
    *, user, fiscal_year: int | None = None, task_force_code: str = "", award_number: str = ""
) -> Selection:
    """The selection a person asked for, read through their scope: another task force or
    its award is a 404, a fiscal year outside the program a ValidationError."""
    if fiscal_year is not None and not FIRST_FISCAL_YEAR <= fiscal_year <= 2100:
        raise ValidationError(
            f"Fiscal year must be a year from {FIRST_FISCAL_YEAR} to 2100, such as 2025; "
            f"got {fiscal_year}."
        )
    task_force = None
    if task_force_code:
        task_force = selectors.task_force_list_for_user(user=user).filter(code=task_force_code)
        task_force = task_force.first()
        if task_force is None:
            raise Http404("No such task force.")
    award = None
    if award_number:
        award = selectors.award_list_for_user(user=user).filter(award_number=award_number)
        award = award.select_related("task_force").first()
        if award is None:
            raise Http404("No such award.")
    return Selection(fiscal_year=fiscal_year, task_force=task_force, award=award)


def _selection_data(selection: Selection) -> dict:
    data = {
        "fiscal_year": selection.fiscal_year,
        "task_force": selection.task_force.code if selection.task_force else "",
    }
    if selection.award is not None:
        data["award"] = selection.award.award_number
    return data


def label_of(kind: str, selection: Selection) -> str:
    if kind == Kind.SUMMARY:
        return f"Program summary, FY{selection.fiscal_year} (PDF)"
    suffix = {Kind.WORKBOOK: "XLSX", Kind.LEDGER_CSV: "CSV", Kind.PACK: "ZIP"}[kind]
    return f"{Kind(kind).label.removesuffix(' (CSV)')}: {selection.label} ({suffix})"


def check_request(*, user, kind: str, selection: Selection) -> None:
    """Whether `user` may ask for the file `kind` of `selection`: a ValidationError saying
    what is wrong, PermissionDenied for the program summary outside the program office."""
    if kind not in Kind.values:
        raise ValidationError(f"Unknown kind of download {kind!r}.")
    if not selection.is_program_wide and kind == Kind.SUMMARY:
        raise ValidationError("The program summary covers the whole program, not a task force.")
    if kind == Kind.SUMMARY:
        access.require(access.can_view_program(user))
        if selection.fiscal_year is None:
            raise ValidationError("The program summary needs a fiscal year, such as 2025.")


@transaction.atomic
def request_download(*, user, kind: str, selection: Selection) -> PreparedDownload:
    """Queue the file `kind` of `selection` for `user`; the worker starts on it once this
    transaction commits. The same file asked for again while it is still waiting or
    being written is that same download: a second click does not queue the work twice."""
    check_request(user=user, kind=kind, selection=selection)
    data = _selection_data(selection)
    unfinished = PreparedDownload.objects.filter(
        owner=user,
        kind=kind,
        selection=data,
        status__in=(PreparedDownload.Status.QUEUED, PreparedDownload.Status.RUNNING),
    )
    for download in as_shown(unfinished.order_by("-requested_at")[:1]):
        if not download.is_finished:  # not shown failed: its worker is alive
            return download
    rows = rows_to_prepare(kind, user=user, selection=selection)
    download = PreparedDownload.objects.create(
        owner=user, kind=kind, selection=data, label=label_of(kind, selection), queue=queue_of(rows)
    )
    audit_record(
        actor=user,
        action=REQUESTED,
        obj=download,
        task_force=_task_force_of(download),
        data={"export": kind, "selection": selection.label, "fiscal_year": selection.fiscal_year},
    )
    transaction.on_commit(lambda: _enqueue(download.pk, queue_priority(rows), download.queue))
    return download


def rows_to_prepare(kind: str, *, user, selection: Selection) -> int:
    """The rows the file will have, counted as the worker will count them (a count per
    sheet, through the owner's scope)."""
    if kind == Kind.LEDGER_CSV:
        return rows_to_write([ledger_sheet(_ledger_entries(user, selection))])
    if kind in (Kind.WORKBOOK, Kind.PACK):
        return rows_to_write(selection_sheets(user=user, selection=selection))
    return 1  # the program summary: a few pages


def queue_priority(rows: int) -> int:
    """Smaller files first: the workers take the highest priority first, so a task
    force's ledger asked for after a million-row workbook is not held up behind it.
    Ten steps of priority per power of ten rows: 1,000 rows -30, a million -60."""
    return max(TASK_MIN_PRIORITY, -round(10 * math.log10(rows + 1)))


def queue_of(rows: int) -> str:
    """The queue of a file of `rows` rows: "large" from LARGE_FILE_ROWS on, which only
    workers started on it take (`db_worker` takes both queues unless told one), so a
    worker on "default" alone is never busy for minutes with a million-row file while
    a task force's ledger waits."""
    return LARGE_QUEUE if rows >= settings.LARGE_FILE_ROWS else DEFAULT_TASK_QUEUE_NAME


def _enqueue(download_id, priority: int, queue: str) -> None:
    from reports.tasks import prepare_download  # the task module imports this one

    prepare_download.using(priority=priority, queue_name=queue).enqueue(str(download_id))


# --- Writing it (in the worker) ------------------------------------------------------------


class Progress:
    """Rows to write and rows written, stored on every download of one run (the download
    `run_id` and any sharing it) for their pages to show, with the moment the run read
    its data (`as_of`); and the closing of the run to anyone else (`close_run`).

    On PostgreSQL the file is written inside one REPEATABLE READ, READ ONLY transaction
    (workbooks.consistent_snapshot), which can neither write nor see who joined the run
    since it began: the progress then goes through a second connection of its own."""

    def __init__(self, run_id, *, worker_id: str, own_connection: bool):
        self.run_id = run_id
        self.worker_id = worker_id
        # Taken before the writer's first query, so the file holds at least everything
        # recorded before this moment (its snapshot is taken at that query).
        self.as_of = timezone.now()
        self.total = 0
        self.done = 0
        self._members: list[tuple] | None = None
        self._written_at = 0.0
        self._connection = (
            connections.create_connection(DEFAULT_DB_ALIAS) if own_connection else None
        )

    def start(self, total: int) -> None:
        self.total = total
        self._write(rows_total=total, rows_done=0, data_as_of=self.as_of)

    def advance_to(self, done: int) -> None:
        self.done = done
        now = clock.monotonic()
        if now - self._written_at >= PROGRESS_SECONDS:
            self._written_at = now
            self._write(rows_done=min(done, self.total))

    def _write(self, **fields) -> None:
        if self._connection is None:
            _in_run(self.run_id, self.worker_id).update(**fields)
            return
        assignments = ", ".join(f"{_column(name)} = %s" for name in fields)
        with self._connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TABLE} SET {assignments} WHERE {_IN_RUN_SQL}",
                [*fields.values(), *self._in_run_params()],
            )

    def close_run(self) -> list[tuple]:
        """Take no one else into the run, and return (id, username) of each download in
        it, in the order they were asked for: the file is theirs. Called once its rows
        are written; later calls return the same."""
        if self._members is not None:
            return self._members
        if self._connection is None:
            self._members = _close_run(self.run_id, self.worker_id)
            return self._members
        user = get_user_model()._meta
        username = _quote(user.get_field(user.model.USERNAME_FIELD).column)
        connection = self._connection
        connection.set_autocommit(False)
        try:
            with connection.cursor() as cursor:
                # The lead's lock orders this against take_run_under_way (see _close_run).
                cursor.execute(
                    f"SELECT 1 FROM {_TABLE} WHERE {_column('id')} = %s FOR UPDATE", [self.run_id]
                )
                cursor.execute(
                    f"UPDATE {_TABLE} SET {_column('rows_done')} = "
                    f"COALESCE({_column('rows_total')}, {_column('rows_done')}) WHERE {_IN_RUN_SQL}",
                    self._in_run_params(),
                )
                cursor.execute(
                    f"SELECT {_TABLE}.{_column('id')}, u.{username} FROM {_TABLE} "
                    f"JOIN {_quote(user.db_table)} u ON u.{_quote(user.pk.column)} = {_column('owner')} "
                    f"WHERE {_IN_RUN_SQL} ORDER BY {_column('requested_at')}",
                    self._in_run_params(),
                )
                self._members = [tuple(row) for row in cursor.fetchall()]
            connection.commit()
        except Exception:
            connection.rollback()
            raise
        finally:
            connection.set_autocommit(True)
        return self._members

    def _in_run_params(self) -> list:
        return [self.run_id, PreparedDownload.Status.RUNNING.value, self.worker_id]

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()


def _quote(name: str) -> str:
    return connections[DEFAULT_DB_ALIAS].ops.quote_name(name)


def _column(field: str) -> str:
    return _quote(PreparedDownload._meta.get_field(field).column)


_TABLE = _quote(PreparedDownload._meta.db_table)
# What _in_run says, for the progress's own connection.
_IN_RUN_SQL = f"{_column('run')} = %s AND {_column('status')} = %s AND {_column('worker_id')} = %s"


def _in_run(run_id, worker_id: str):
    """The downloads the run of `run_id` (its lead) writes, by the worker `worker_id`."""
    return PreparedDownload.objects.filter(
        run_id=run_id, status=PreparedDownload.Status.RUNNING, worker_id=worker_id
    )


def _close_run(run_id, worker_id: str) -> list[tuple]:
    """Close the run of `run_id` to anyone else and return (id, username) of each of its
    downloads. A run takes no one once all its rows are written: rows_done reaches
    rows_total, set here under the lead's lock, which take_run_under_way takes too."""
    with transaction.atomic():
        list(PreparedDownload.objects.select_for_update().filter(pk=run_id).values("pk"))
        run = _in_run(run_id, worker_id)
        run.update(rows_done=Coalesce("rows_total", "rows_done"))
        username = f"owner__{get_user_model().USERNAME_FIELD}"
        return list(run.order_by("requested_at").values_list("pk", username))


# Each writer reads through the scope of `user`, who asked for the file; a workbook or
# CSV may be written for others too in the same run (SHARED_KINDS), whom the workbook's
# About sheet names once its rows are written (Progress.close_run). It returns what its
# audit event says besides the file: the rows of each sheet and the SHA-256 of the
# workbook's data (its About sheet), each file of a pack.


def _write_workbook(handle, *, user, selection: Selection, progress: Progress) -> Written:
    sheets = selection_sheets(user=user, selection=selection)
    progress.start(rows_to_write(sheets))

    def about() -> dict[str, str]:
        people = [username for _, username in progress.close_run()]
        return selection_about(
            user=user, selection=selection, shared_with=people, read_at=progress.as_of
        )

    data_sha256 = write_workbook(handle, sheets=sheets, about=about, progress=progress.advance_to)
    sheet_rows = {sheet.title: sheet.row_count for sheet in sheets}
    return Written(
        workbook_filename(selection), XLSX_TYPE, {"sheets": sheet_rows, "data_sha256": data_sha256}
    )


def _ledger_entries(user, selection: Selection):
    return LedgerEntry.objects.filter(award__in=selection.awards(user).values("pk"))


def _write_ledger_csv(handle, *, user, selection: Selection, progress: Progress) -> Written:
    sheet = ledger_sheet(_ledger_entries(user, selection))
    progress.start(rows_to_write([sheet]))
    write_csv(handle, sheet, progress=progress.advance_to)
    return Written(f"ledger-{selection.slug}-{timezone.localdate():%Y%m%d}.csv", CSV_TYPE, {})


def _write_pack(handle, *, user, selection: Selection, progress: Progress) -> Written:
    # Never shared (SHARED_KINDS): its documents name who generated them.
    pack = write_pack(handle, user=user, selection=selection, progress=progress)
    files = [{"path": f.path, "sha256": f.sha256, "bytes": f.size} for f in pack.files]
    data = {"sheets": pack.rows, "data_sha256": pack.workbook_data_sha256, "files": files}
    return Written(pack.filename, ZIP_TYPE, data)


def _write_summary(handle, *, user, selection: Selection, progress: Progress) -> Written:
    # Never shared (SHARED_KINDS): its pages name who printed them.
    progress.start(1)
    handle.write(build_program_summary_pdf(selection.fiscal_year, user=user))
    progress.advance_to(1)
    return Written(program_summary_pdf_filename(selection.fiscal_year), PDF_TYPE, {})


WRITERS: dict[str, Callable[..., Written]] = {
    Kind.WORKBOOK: _write_workbook,
    Kind.LEDGER_CSV: _write_ledger_csv,
    Kind.PACK: _write_pack,
    Kind.SUMMARY: _write_summary,
}

# The files one run may write for several people: nothing in them depends on who asked
# but their scope and, in a workbook, the names the About sheet gives.
SHARED_KINDS = (Kind.WORKBOOK, Kind.LEDGER_CSV)


def _join_waiting(download: PreparedDownload, *, worker_id: str) -> None:
    """Claim for the run that writes `download` the same file asked for by others, still
    waiting for a worker: written once, it is theirs too (a copy in each one's My
    downloads). Only among people who read the whole program, for whom the file is the
    same; anyone else's is read through their own task forces. The file is read when the
    run starts, after each of them asked, as a run of their own would read it. (Someone
    who asks once it has started may take it too, knowing that: take_run_under_way.)"""
    owner = download.owner
    if download.kind not in SHARED_KINDS or not access.sees_every_task_force(owner):
        return
    waiting = (
        PreparedDownload.objects.filter(
            kind=download.kind, selection=download.selection, status=PreparedDownload.Status.QUEUED
        )
        .exclude(pk=download.pk)
        .select_related("owner")
        .order_by("requested_at")
    )
    others = [
        other.pk
        for other in waiting
        if other.owner.is_active and access.sees_every_task_force(other.owner)
    ]
    # Claimed in one statement, as `prepare` claims its own: one another worker took
    # meanwhile is no longer waiting and stays that worker's.
    PreparedDownload.objects.filter(pk__in=others, status=PreparedDownload.Status.QUEUED).update(
        status=PreparedDownload.Status.RUNNING, worker_id=worker_id, run=download
    )


def _selection_of(download: PreparedDownload) -> Selection:
    """The selection again, through the owner's scope as it is now."""
    data = download.selection
    return selection_for(
        user=download.owner,
        fiscal_year=data.get("fiscal_year"),
        task_force_code=data.get("task_force") or "",
        award_number=data.get("award") or "",
    )


def prepare(download_id, *, worker_id: str = "") -> None:
    """Write the download `download_id` and store it, for everyone in its run: those
    waiting for the same file when it starts (_join_waiting) and those who take it while
    it is written (take_run_under_way). What the worker `worker_id` runs."""
    claimed = PreparedDownload.objects.filter(
        pk=download_id, status=PreparedDownload.Status.QUEUED
    ).update(status=PreparedDownload.Status.RUNNING, worker_id=worker_id, run=download_id)
    if not claimed:
        return  # already prepared (perhaps with another's), or deleted since
    download = PreparedDownload.objects.select_related("owner").get(pk=download_id)
    stored: dict = {}
    try:
        if not download.owner.is_active:
            raise PermissionDenied("The account that asked for this file is disabled.")
        selection = _selection_of(download)
        _join_waiting(download, worker_id=worker_id)
        with tempfile.TemporaryFile() as handle:
            with consistent_snapshot() as isolated:
                progress = Progress(download.pk, worker_id=worker_id, own_connection=bool(isolated))
                try:
                    written = WRITERS[download.kind](
                        handle, user=download.owner, selection=selection, progress=progress
                    )
                    members = [pk for pk, _ in progress.close_run()]
                finally:
                    progress.close()
            sha256, size = file_sha256(handle)
            filename = written.filename
            downloads = list(
                PreparedDownload.objects.filter(pk__in=members)
                .select_related("owner")
                .order_by("requested_at")
            )
            for each in downloads:
                stored[each.pk] = default_storage.save(
                    f"{STORAGE_FOLDER}/{each.owner.pk}/{each.pk}/{filename}",
                    File(handle, name=filename),
                )
    except Exception as error:
        logger.exception("Download %s could not be prepared", download_id)
        for name in stored.values():  # the copies stored before the one that failed
            default_storage.delete(name)
        _close_run(download.pk, worker_id)  # nobody takes a run that failed
        for each in _in_run(download.pk, worker_id).select_related("owner"):
            _fail(each, _reason(error))
        raise
    audited = {
        "export": download.kind,
        "selection": selection.label,
        "filename": filename,
        "rows": progress.total,
        **written.data,
        "bytes": size,
        "file_sha256": sha256,
    }
    today = timezone.localdate()
    ready = {
        "status": PreparedDownload.Status.READY,
        "rows_done": progress.total,
        "rows_total": progress.total,
        "filename": filename,
        "content_type": written.content_type,
        "size": size,
        "sha256": sha256,
        "expires_on": today + timedelta(days=settings.DOWNLOADS_KEEP_DAYS),
    }
    for position, each in enumerate(downloads):
        try:
            _finish(
                each,
                worker_id=worker_id,
                storage_name=stored[each.pk],
                ready=ready,
                audited=audited,
            )
        except Exception as error:
            # None of the rest is left "being prepared" by a worker still alive.
            logger.exception("Download %s could not be finished", each.pk)
            for rest in downloads[position:]:
                if _fail(rest, _reason(error)):
                    default_storage.delete(stored[rest.pk])
            raise


def _finish(download, *, worker_id: str, storage_name: str, ready: dict, audited: dict) -> None:
    """Record `download` ready with its stored copy, and audit it for its owner."""
    with transaction.atomic():
        # Only the run this worker claimed finishes: if the download was marked failed
        # meanwhile (its beats stalled and a sweep took it for dead), the person was told
        # so and may have asked again; it stays failed and its copy is dropped.
        finished = PreparedDownload.objects.filter(
            pk=download.pk, status=PreparedDownload.Status.RUNNING, worker_id=worker_id
        ).update(storage_name=storage_name, finished_at=timezone.now(), **ready)
        if not finished:
            default_storage.delete(storage_name)
            logger.warning("Download %s was failed while being written; file dropped", download.pk)
            return
        audit_record(
            actor=download.owner,
            action=PREPARED,
            obj=download,
            task_force=_task_force_of(download),
            data=audited,
        )


def _fail(download: PreparedDownload, reason: str) -> bool:
    """Mark `download` failed, unless it finished meanwhile, and record it; whether it
    was marked."""
    with transaction.atomic():
        marked = (
            PreparedDownload.objects.filter(pk=download.pk)
            .exclude(status__in=[PreparedDownload.Status.READY, PreparedDownload.Status.FAILED])
            .update(status=PreparedDownload.Status.FAILED, finished_at=timezone.now(), error=reason)
        )
        if marked:
            audit_record(
                actor=download.owner,
                action=FAILED,
                obj=download,
                task_force=_task_force_of(download),
                data={"export": download.kind, "selection": download.label, "error": reason},
            )
    return bool(marked)


ABANDONED = (
    "The worker preparing this file stopped before it finished. Ask for it again; "
    "if it fails again, report it."
)


def fail_abandoned() -> int:
    """Mark failed the downloads left by a worker that is no longer alive (its heartbeat
    stopped: reports/workers.py), whether it died while writing one or after claiming its
    task but before starting on it, and that worker's task results: django-tasks leaves
    them "running" for good. What a worker's sweep and the daily duties run, never a
    page. Returns how many downloads were failed."""
    alive = alive_worker_ids()
    tasks = _abandoned_tasks(alive)
    abandoned = _abandoned(PreparedDownload.objects.all(), alive=alive, tasks=tasks)
    failed = 0
    for download in abandoned.select_related("owner"):
        failed += _fail(download, ABANDONED)
    for result in tasks:
        DBTaskResult.objects.filter(pk=result.pk, status="RUNNING").update(
            status="FAILED",
            finished_at=timezone.now(),
            exception_class_path=f"{WorkerStopped.__module__}.{WorkerStopped.__qualname__}",
            traceback=f"Worker {result.worker_ids[-1]} stopped beating while running this task.",
        )
    return failed


def as_shown(downloads, *, alive: set[str] | None = None) -> list[PreparedDownload]:
    """`downloads` as their pages show them, read-only: one left by a worker that is no
    longer alive shows failed (`abandoned`, with ABANDONED as its error, never saved),
    as the next sweep will mark it, rather than "being prepared" until it expires.
    `alive`: the workers alive (alive_worker_ids), when the caller has read them."""
    downloads = list(downloads)
    unfinished = [download.pk for download in downloads if not download.is_finished]
    if not unfinished:
        return downloads
    if alive is None:
        alive = alive_worker_ids()
    stale = _abandoned(
        PreparedDownload.objects.filter(pk__in=unfinished),
        alive=alive,
        tasks=_abandoned_tasks(alive),
    )
    stale = set(stale.values_list("pk", flat=True))
    for download in downloads:
        if download.pk in stale:
            download.abandoned, download.error = True, ABANDONED
    return downloads


@dataclass(frozen=True)
class Ahead:
    """What a download waiting for a worker waits behind: the files being written now by
    the workers that take its queue (a shared run is one file) and the other files of its
    queue asked for before it that still wait. Workers take smaller files first
    (queue_priority), so it says what is ahead, not when a worker will start on this one."""

    being_written: int
    waiting: int
    worker_alive: bool = True
    # A queue that no live worker takes, while others do: the file waits for one there.
    queue_without_a_worker: str = ""


def ahead_of(download: PreparedDownload, *, alive: dict[str, set[str]]) -> Ahead | None:
    """Why `download` (as as_shown gives it) is still waiting, for its page to say; None
    unless it waits. `alive`: the workers alive and their queues (alive_workers)."""
    if download.status != PreparedDownload.Status.QUEUED or download.is_finished:
        return None
    if not alive:
        return Ahead(0, 0, worker_alive=False)
    if download.queue in queues_without_a_worker(alive):
        return Ahead(0, 0, queue_without_a_worker=download.queue)
    Status = PreparedDownload.Status
    # Only the workers and files of this file's queue are ahead of it (all, for one
    # asked for before queues were recorded).
    workers = [w for w, queues in alive.items() if not download.queue or download.queue in queues]
    being_written = (
        PreparedDownload.objects.filter(status=Status.RUNNING, worker_id__in=workers)
        .values("worker_id")
        .distinct()
    )
    # The same file asked for by several is one file to write (or shares this one's run).
    waiting = PreparedDownload.objects.filter(
        status=Status.QUEUED, requested_at__lt=download.requested_at
    )
    if download.queue:
        waiting = waiting.filter(queue=download.queue)
    waiting = (
        waiting.exclude(kind=download.kind, selection=download.selection)
        .values("kind", "selection")
        .distinct()
    )
    return Ahead(being_written.count(), waiting.count())


def run_under_way(download: PreparedDownload, *, alive: set[str]) -> PreparedDownload | None:
    """The run writing the same file that `download` (as as_shown gives it) waits for,
    which its owner may take instead of waiting for a run of their own; None if there is
    none. That run read its data before they asked (`data_as_of`), which the page says:
    the choice is theirs. Only a workbook or ledger CSV, between people who read the
    whole program (as _join_waiting), from a live worker's run still writing its rows.
    `alive`: the workers alive (alive_worker_ids)."""
    Status = PreparedDownload.Status
    owner = download.owner
    if download.status != Status.QUEUED or download.is_finished or not alive:
        return None
    if download.kind not in SHARED_KINDS or not access.sees_every_task_force(owner):
        return None
    runs = (
        PreparedDownload.objects.filter(
            kind=download.kind,
            selection=download.selection,
            status=Status.RUNNING,
            run=F("pk"),
            worker_id__in=alive,
            data_as_of__isnull=False,
            rows_total__gt=F("rows_done"),
        )
        .select_related("owner")
        .order_by("-data_as_of")
    )
    return next((run for run in runs if access.sees_every_task_force(run.owner)), None)


NO_RUN_UNDER_WAY = (
    "No file being written now can be taken for this one: it was written meanwhile, or "
    "stopped, or is not one you may share. Yours is still waiting for a worker; nothing "
    "was changed."
)


def take_run_under_way(*, user, download_id) -> PreparedDownload:
    """`user`'s waiting download `download_id`, taken into the run writing the same file
    (run_under_way): the file that run stores is theirs too, with that run's data. A
    ValidationError, changing nothing, if the download no longer waits or the run has
    written its rows (it takes no one after: _close_run)."""
    with transaction.atomic():
        download = downloads_of(user).select_for_update().filter(pk=download_id).first()
        if download is None:
            raise Http404("No such download.")
        if download.status != PreparedDownload.Status.QUEUED:
            raise ValidationError(
                "This file is no longer waiting for a worker; nothing was changed."
            )
        found = run_under_way(download, alive=alive_worker_ids())
        # The run's lead locked, and read again under the lock, as _close_run reads it.
        run = (
            PreparedDownload.objects.select_for_update()
            .filter(pk=found.pk, status=PreparedDownload.Status.RUNNING)
            .filter(rows_total__gt=F("rows_done"))
            .first()
            if found is not None
            else None
        )
        if run is None:
            raise ValidationError(NO_RUN_UNDER_WAY)
        PreparedDownload.objects.filter(pk=download.pk).update(
            status=PreparedDownload.Status.RUNNING,
            worker_id=run.worker_id,
            run=run,
            data_as_of=run.data_as_of,
            rows_total=run.rows_total,
            rows_done=run.rows_done,
        )
        audit_record(
            actor=user,
            action=TOOK_RUN,
            obj=download,
            task_force=_task_force_of(download),
            data={
                "export": download.kind,
                "selection": download.label,
                "run": str(run.pk),
                "data_as_of": run.data_as_of.isoformat(),
                "requested_at": download.requested_at.isoformat(),
            },
        )
    download.refresh_from_db()
    return download


def _abandoned(downloads, *, alive: set[str], tasks: list[DBTaskResult]):
    """Of `downloads`, the unfinished ones whose worker is no longer alive: being written
    by it, or still queued although it claimed their task (`tasks`, _abandoned_tasks)."""
    from reports.tasks import prepare_download  # the task module imports this one

    # The task's one argument is the download's id (_enqueue).
    claimed = [
        args[0]
        for result in tasks
        if result.task_path == prepare_download.module_path
        and (args := result.args_kwargs.get("args"))
    ]
    Status = PreparedDownload.Status
    being_written = Q(status=Status.RUNNING) & ~Q(worker_id="") & ~Q(worker_id__in=alive)
    unfinished = downloads.exclude(status__in=[Status.READY, Status.FAILED])
    # A download whose own task a dead worker claimed, but which a live worker's shared
    # run took meanwhile (_join_waiting), is that run's: only a waiting one is abandoned.
    claimed_waiting = Q(pk__in=claimed) & Q(status=Status.QUEUED)
    return unfinished.filter(being_written | claimed_waiting)


def _abandoned_tasks(alive: set[str]) -> list[DBTaskResult]:
    """The task results still "running" whose worker is no longer alive. A worker beats
    before it claims its first task (reports.workers.Heartbeat), so such a task was left
    behind."""
    return [
        result
        for result in DBTaskResult.objects.running()
        if result.worker_ids and result.worker_ids[-1] not in alive
    ]


def _task_force_of(download: PreparedDownload):
    """The task force a download covers (None for the program or a fiscal year)."""
    if number := download.selection.get("award"):
        return TaskForce.objects.filter(awards__award_number=number).first()
    if code := download.selection.get("task_force"):
        return TaskForce.objects.filter(code=code).first()
    return None


def _reason(error: Exception) -> str:
    """What the person is told went wrong: the app's own refusals as they are, anything
    else as a failure to report, without internals."""
    if isinstance(error, (ValidationError, PermissionDenied, Http404)):
        return str(error.message if isinstance(error, ValidationError) else error)
    return "The file could not be written. Ask for it again; if it fails again, report it."


# --- Reading it ----------------------------------------------------------------------------


def downloads_of(user):
    """The person's own prepared downloads, newest first: nobody sees another's."""
    return PreparedDownload.objects.filter(owner=user)


def open_for(*, user, download_id) -> tuple[PreparedDownload, IO[bytes]]:
    """The person's ready file, opened from the storage, and its download recorded; a
    file of anyone else, unfinished or expired is a 404."""
    download = (
        downloads_of(user).filter(pk=download_id, status=PreparedDownload.Status.READY).first()
    )
    if download is None or not default_storage.exists(download.storage_name):
        raise Http404("No such download.")
    handle = default_storage.open(download.storage_name, "rb")
    data = download.selection
    audit_record(
        actor=user,
        action=DOWNLOADED,
        obj=download,
        task_force=_task_force_of(download),
        data={
            "export": f"prepared_{download.kind}",
            "selection": download.label,
            "fiscal_year": data.get("fiscal_year"),
            "filename": download.filename,
            "file_sha256": download.sha256,
        },
    )
    return download, handle


# --- Deleting it (the daily duties) ------------------------------------------------------


def delete_expired(*, today: date | None = None) -> list[str]:
    """Delete the files kept past their last day, and failed requests as old; returns
    the names of the files deleted."""
    today = today or timezone.localdate()
    keep = timedelta(days=settings.DOWNLOADS_KEEP_DAYS)
    deleted = []
    expired = PreparedDownload.objects.filter(
        status=PreparedDownload.Status.READY, expires_on__lt=today
    ).select_related("owner")
    for download in expired.iterator():
        default_storage.delete(download.storage_name)
        with transaction.atomic():
            audit_record(
                actor=None,
                action=EXPIRED,
                obj=download,
                data={
                    "owner": download.owner.get_username(),
                    "filename": download.filename,
                    "file_sha256": download.sha256,
                    "expired_on": download.expires_on.isoformat(),
                },
            )
            download.delete()
        deleted.append(download.filename)
    cutoff = timezone.make_aware(datetime.combine(today - keep, time.min))
    # Requests that failed, or whose worker was stopped before it finished, as old.
    PreparedDownload.objects.exclude(status=PreparedDownload.Status.READY).filter(
        requested_at__lt=cutoff
    ).delete()
    return deleted
