"""Workers' heartbeats (reports/workers.py): `db_worker` beats while it runs, and a
download whose worker stopped beating is marked failed, shown so, audited, and can be
asked for again; a failed preparation is audited as well."""

import io
import time
import uuid
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import OperationalError
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from grants.audit import AuditEvent
from reports import prepared, workers
from reports.models import PreparedDownload, WorkerHeartbeat


def _running(owner, *, worker_id: str, **selection) -> PreparedDownload:
    download = PreparedDownload.objects.create(
        owner=owner, kind="pack", label="Evidence pack: the test (ZIP)", selection=selection
    )
    PreparedDownload.objects.filter(pk=download.pk).update(
        status="running", worker_id=worker_id, rows_done=40, rows_total=100
    )
    return download


def _silent_since(worker_id: str, seconds: int) -> None:
    workers.beat(worker_id)
    WorkerHeartbeat.objects.filter(worker_id=worker_id).update(
        beat_at=timezone.now() - timedelta(seconds=seconds)
    )


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_beats_while_it_runs_a_task_and_forgets_its_beat_when_it_stops(
    committed_program, memory_storage, monkeypatch
):
    program = committed_program
    seen = {}
    prepare = prepared.prepare

    def watched(download_id, *, worker_id):
        seen["worker_id"] = worker_id
        seen["beating"] = list(WorkerHeartbeat.objects.values_list("worker_id", "queues"))
        prepare(download_id, worker_id=worker_id)

    monkeypatch.setattr(prepared, "prepare", watched)
    download = prepared.request_download(
        user=program.pm, kind="ledger_csv", selection=prepared.selection_for(user=program.pm)
    )
    call_command(
        "db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload",
        "--worker-id", "worker-7",
    )  # fmt: skip
    download.refresh_from_db()
    assert download.status == "ready", download.error
    # Started without --queue-name, it takes every queue, and says so.
    assert seen == {"worker_id": "worker-7", "beating": [("worker-7", "default,large")]}
    assert download.worker_id == "worker-7"
    assert DBTaskResult.objects.get().worker_ids == ["worker-7"]
    assert not WorkerHeartbeat.objects.exists()  # it stopped: no longer counted alive


def _while_beating(read):
    """`read()`, tried again while the beat thread holds the table: the test database on
    SQLite is in memory with a shared cache, where a read meeting another connection's
    write fails at once ("database table is locked") instead of waiting as it does on
    a database file or on PostgreSQL."""
    for _ in range(50):
        try:
            return read()
        except OperationalError as error:
            if "locked" not in str(error):
                raise
            time.sleep(0.01)
    return read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_heartbeat_goes_on_from_a_thread_of_its_own_while_the_worker_is_busy():
    def beat_at():
        return WorkerHeartbeat.objects.get(worker_id="worker-9").beat_at

    with workers.Heartbeat("worker-9", every=0.05):
        first = _while_beating(beat_at)
        # The worker's own thread is busy here (a long export); the beats go on.
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            if _while_beating(beat_at) > first:
                break
            time.sleep(0.05)
        assert _while_beating(beat_at) > first
        assert _while_beating(workers.alive_worker_ids)
    assert not WorkerHeartbeat.objects.exists()


def _abandoned_task(download_id, *, worker_id: str) -> DBTaskResult:
    """The queue's row of `download_id`'s task, claimed by `worker_id`, still "running"."""
    return DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status="RUNNING",
        args_kwargs={"args": [str(download_id)], "kwargs": {}},
        task_path="reports.tasks.prepare_download",
        worker_ids=[worker_id],
        backend_name="default",
        run_after=timezone.now(),
        started_at=timezone.now(),
    )


def _changes(download: PreparedDownload) -> tuple:
    """What a write to `download` would change: its row and the audit trail."""
    return (
        PreparedDownload.objects.filter(pk=download.pk).values_list("status", "error").get(),
        AuditEvent.objects.count(),
        list(DBTaskResult.objects.values_list("status", flat=True)),
    )


def _one_abandoned_one_busy(program, settings):
    """Two of the officer's downloads being written: one by a worker silent for 61 s
    (dead, at a 60 s timeout), one by a worker that beat 5 s ago."""
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    _silent_since("worker-dead", 61)
    _silent_since("worker-alive", 5)
    code = program.task_force_a.code
    abandoned = _running(program.officer_a, worker_id="worker-dead", task_force=code)
    busy = _running(program.officer_a, worker_id="worker-alive", task_force=code)
    return abandoned, busy


def test_a_download_whose_worker_stopped_beating_shows_failed_and_a_get_writes_nothing(
    client, program, settings
):
    abandoned, busy = _one_abandoned_one_busy(program, settings)
    _abandoned_task(abandoned.pk, worker_id="worker-dead")
    client.force_login(program.officer_a)  # signing in is audited: before counting
    before = _changes(abandoned)

    page = client.get(reverse("exports:download", args=[abandoned.pk])).content.decode()
    listed = client.get(reverse("exports:my_downloads")).content.decode()
    # The pages tell the person at once, and leave the recording to the sweep.
    for shown in (page, listed):
        assert "Failed: The worker preparing this file stopped before it finished." in shown
        assert 'data-testid="download-again"' in shown
    assert "http-equiv" not in page  # nothing left to wait for
    assert listed.count('data-testid="download-again"') == 1  # the busy one is not failed
    assert "http-equiv" in listed  # the busy one is still being written
    assert _changes(abandoned) == before
    assert before[0] == ("running", "") and before[2] == ["RUNNING"]
    assert PreparedDownload.objects.get(pk=busy.pk).status == "running"


def test_the_sweep_fails_a_download_whose_worker_stopped_beating_and_it_can_be_asked_for_again(
    client, program, settings
):
    abandoned, busy = _one_abandoned_one_busy(program, settings)
    code = program.task_force_a.code

    assert workers.sweep() == 1  # what every living worker does at each beat
    abandoned.refresh_from_db()
    assert (abandoned.status, abandoned.error) == ("failed", prepared.ABANDONED)
    assert PreparedDownload.objects.get(pk=busy.pk).status == "running"  # its worker beats
    event = AuditEvent.objects.get(action="reports.export.failed")
    assert (event.object_id, event.actor, event.task_force) == (
        str(abandoned.pk),
        program.officer_a,
        program.task_force_a,
    )
    assert event.data["error"] == prepared.ABANDONED

    client.force_login(program.officer_a)
    page = client.get(reverse("exports:download", args=[abandoned.pk])).content.decode()
    assert "Failed: The worker preparing this file stopped before it finished." in page
    # "Ask for it again" posts the same request: a new download of the same pack.
    assert 'data-testid="download-again"' in page
    assert f'name="task_force" value="{code}"' in page and 'name="kind" value="pack"' in page
    response = client.post(
        reverse("exports:prepare_download"), {"kind": "pack", "task_force": code}
    )
    again = PreparedDownload.objects.get(status="queued")
    assert response["Location"] == reverse("exports:download", args=[again.pk])
    assert (again.kind, again.selection, again.label) == (
        "pack",
        {"fiscal_year": None, "task_force": code},
        f"Evidence pack: Task force {program.task_force_a.name} (ZIP)",
    )


def test_a_download_whose_worker_died_before_writing_anything_is_failed_by_the_sweep(
    client, program, settings
):
    """The worker claimed the task, then died before it started on the download: the
    download is still "waiting for a worker". The page shows it failed without writing;
    the sweep marks it failed as it does one whose worker died while writing it."""
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    _silent_since("worker-dead", 61)
    code = program.task_force_a.code
    download = prepared.request_download(
        user=program.officer_a,
        kind="pack",
        selection=prepared.selection_for(user=program.officer_a, task_force_code=code),
    )
    waiting = prepared.request_download(
        user=program.officer_a,
        kind="ledger_csv",
        selection=prepared.selection_for(user=program.officer_a),
    )  # its task not claimed yet: it waits for a worker
    task = _abandoned_task(download.pk, worker_id="worker-dead")
    client.force_login(program.officer_a)  # signing in is audited: before counting
    before = _changes(download)

    page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
    assert "Failed: The worker preparing this file stopped before it finished." in page
    assert 'data-testid="download-again"' in page and "http-equiv" not in page
    assert _changes(download) == before

    assert workers.sweep() == 1
    download.refresh_from_db()
    assert (download.status, download.error) == ("failed", prepared.ABANDONED)
    assert PreparedDownload.objects.get(pk=waiting.pk).status == "queued"
    task.refresh_from_db()
    assert (task.status, task.exception_class_path) == ("FAILED", "reports.workers.WorkerStopped")
    event = AuditEvent.objects.get(action="reports.export.failed")
    assert (event.object_id, event.actor, event.task_force, event.data["error"]) == (
        str(download.pk),
        program.officer_a,
        program.task_force_a,
        prepared.ABANDONED,
    )
    page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
    assert "Failed: The worker preparing this file stopped before it finished." in page
    assert f'name="task_force" value="{code}"' in page and 'name="kind" value="pack"' in page

    # A worker that was only stalled and takes it up after all leaves it failed.
    prepared.prepare(download.pk, worker_id="worker-dead")
    download.refresh_from_db()
    assert download.status == "failed"
    assert workers.sweep() == 0  # nothing left to sweep


def test_the_daily_duties_sweep_when_no_worker_is_left_alive(program):
    _silent_since("worker-dead", 3600)
    download = _running(program.pm, worker_id="worker-dead")
    out = io.StringIO()
    call_command("run_daily", stdout=out)
    assert "Downloads failed, their worker stopped: 1" in out.getvalue()
    download.refresh_from_db()
    assert (download.status, download.error) == ("failed", prepared.ABANDONED)


def test_another_person_s_abandoned_download_is_left_to_the_sweep(client, program):
    _silent_since("worker-dead", 3600)
    theirs = _running(program.officer_b, worker_id="worker-dead")
    client.force_login(program.officer_a)
    assert client.get(reverse("exports:my_downloads")).status_code == 200
    assert PreparedDownload.objects.get(pk=theirs.pk).status == "running"

    workers.sweep()  # what every living worker does at each beat
    theirs.refresh_from_db()
    assert (theirs.status, theirs.error) == ("failed", prepared.ABANDONED)


def test_the_sweep_fails_the_task_results_of_dead_workers_and_forgets_old_beats(program):
    _silent_since("worker-dead", 3600)
    _silent_since("worker-long-gone", 2 * 24 * 3600)
    workers.beat("worker-alive")
    ids = {}
    for worker_id in ("worker-dead", "worker-alive"):
        ids[worker_id] = DBTaskResult.objects.create(
            id=uuid.uuid4(),
            status="RUNNING",
            args_kwargs={"args": [], "kwargs": {}},
            task_path="reports.tasks.prepare_download",
            worker_ids=[worker_id],
            backend_name="default",
            run_after=timezone.now(),
            started_at=timezone.now(),
        ).pk
    workers.sweep()
    dead = DBTaskResult.objects.get(pk=ids["worker-dead"])
    assert (dead.status, dead.exception_class_path) == ("FAILED", "reports.workers.WorkerStopped")
    assert DBTaskResult.objects.get(pk=ids["worker-alive"]).status == "RUNNING"
    assert sorted(WorkerHeartbeat.objects.values_list("worker_id", flat=True)) == [
        "worker-alive",
        "worker-dead",
    ]


def test_a_download_that_cannot_be_written_is_failed_and_audited(program, monkeypatch):
    def broken(handle, **kwargs):
        raise OSError("disk full on /var/tmp")

    monkeypatch.setitem(prepared.WRITERS, "ledger_csv", broken)
    download = prepared.request_download(
        user=program.pm, kind="ledger_csv", selection=prepared.selection_for(user=program.pm)
    )
    with pytest.raises(OSError):
        prepared.prepare(download.pk, worker_id="worker-1")
    download.refresh_from_db()
    assert download.status == "failed"
    assert download.error == (
        "The file could not be written. Ask for it again; if it fails again, report it."
    )
    event = AuditEvent.objects.get(action="reports.export.failed")
    assert event.data == {
        "export": "ledger_csv",
        "selection": "Ledger: The whole program (CSV)",
        "error": download.error,
    }


def test_a_download_failed_while_its_worker_was_stalled_stays_failed_when_it_finishes(
    program, memory_storage, monkeypatch
):
    """Worker A's beats stall; a sweep fails its download and the owner is told so; then
    A finishes. The download stays failed, A's file is dropped, nothing is recorded ready."""
    download = prepared.request_download(
        user=program.pm, kind="ledger_csv", selection=prepared.selection_for(user=program.pm)
    )
    write = prepared.WRITERS["ledger_csv"]

    def stalled(handle, **kwargs):
        written = write(handle, **kwargs)
        _silent_since("worker-a", 70)
        assert prepared.fail_abandoned() == 1  # another worker's sweep, mid-write
        return written

    monkeypatch.setitem(prepared.WRITERS, "ledger_csv", stalled)
    prepared.prepare(download.pk, worker_id="worker-a")

    download.refresh_from_db()
    assert (download.status, download.error, download.storage_name) == (
        "failed",
        prepared.ABANDONED,
        "",
    )
    assert list(
        AuditEvent.objects.filter(object_id=str(download.pk))
        .order_by("pk")
        .values_list("action", flat=True)
    ) == ["reports.export.requested", "reports.export.failed"]
    # Failed before its copy was stored: none is stored.
    assert not default_storage.exists(f"{prepared.STORAGE_FOLDER}/{program.pm.pk}/{download.pk}")


def test_a_download_taken_over_by_another_worker_is_not_finished_by_the_first(
    program, memory_storage, monkeypatch
):
    download = prepared.request_download(
        user=program.pm, kind="ledger_csv", selection=prepared.selection_for(user=program.pm)
    )
    write = prepared.WRITERS["ledger_csv"]

    def taken_over(handle, **kwargs):
        PreparedDownload.objects.filter(pk=download.pk).update(worker_id="worker-b")
        return write(handle, **kwargs)

    monkeypatch.setitem(prepared.WRITERS, "ledger_csv", taken_over)
    prepared.prepare(download.pk, worker_id="worker-a")
    download.refresh_from_db()
    assert (download.status, download.storage_name) == ("running", "")
    assert not AuditEvent.objects.filter(action="reports.export.prepared").exists()


def test_beats_are_dated_by_the_database_not_by_the_worker_host_s_clock(db, settings, monkeypatch):
    """A worker host whose clock lags two minutes still counts alive to the others."""
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    lagging = timezone.now() - timedelta(seconds=120)
    monkeypatch.setattr(timezone, "now", lambda: lagging)
    workers.beat("worker-lagging")
    monkeypatch.undo()
    assert workers.alive_worker_ids()
    beat_at = WorkerHeartbeat.objects.get(worker_id="worker-lagging").beat_at
    assert abs((timezone.now() - beat_at).total_seconds()) < 30


def test_a_download_in_a_live_worker_s_shared_run_is_not_failed_for_its_own_dead_task(program):
    """B's own task was claimed by a worker that then died; B itself had been taken into
    a live worker's shared run (prepared._join_waiting). B is that run's: not failed."""
    workers.beat("worker-live")
    _silent_since("worker-dead", 600)
    joined = _running(program.pm, worker_id="worker-live")
    _abandoned_task(joined.pk, worker_id="worker-dead")
    waiting = PreparedDownload.objects.create(
        owner=program.auditor, kind="pack", label="Evidence pack: the test (ZIP)"
    )
    _abandoned_task(waiting.pk, worker_id="worker-dead")

    assert prepared.fail_abandoned() == 1
    joined.refresh_from_db()
    waiting.refresh_from_db()
    assert (joined.status, waiting.status) == ("running", "failed")


def test_the_queues_a_worker_takes_are_read_from_its_options():
    assert workers.queues_taken(["*"]) == ["default", "large"]
    assert workers.queues_taken(["large"]) == ["large"]
    assert workers.queues_taken(["*"], excluded=["large"]) == ["default"]
    assert workers.queues_taken(["default"], excluded=[""]) == ["default"]


@pytest.mark.django_db
def test_a_queue_that_no_live_worker_takes_is_named():
    workers.beat("worker-small", queues=["default"])
    assert workers.queues_without_a_worker() == ["large"]
    _silent_since("worker-large", 70)  # a worker on "large" that stopped beating
    WorkerHeartbeat.objects.filter(worker_id="worker-large").update(queues="large")
    assert workers.queues_without_a_worker() == ["large"]
    workers.beat("worker-large")  # beating again
    assert workers.queues_without_a_worker() == []
    # A worker that recorded no queues (started before they were recorded) takes any.
    WorkerHeartbeat.objects.filter(worker_id="worker-small").update(queues="")
    WorkerHeartbeat.objects.filter(worker_id="worker-large").delete()
    assert workers.alive_workers() == {"worker-small": {"default", "large"}}
