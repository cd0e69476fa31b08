"""Background workers' heartbeats: which `manage.py db_worker` processes are alive.

django-tasks' database worker records which worker claimed a task, but nothing while it
runs: a worker killed mid-task (out of memory, a host lost) leaves its task "running"
for good. So each worker beats: `Heartbeat` (started by reports' `db_worker` command)
updates the worker's `WorkerHeartbeat` row every WORKER_HEARTBEAT_SECONDS from a thread
of its own, so a long export does not stop the beat, and deletes the row when the
worker stops. A worker is alive while its last beat is within WORKER_HEARTBEAT_TIMEOUT.

- `/readyz` reports whether a worker is alive (config.health.worker_heartbeat), and
  fails on it with DJANGO_READYZ_WORKER=1 or when asked `/readyz?worker=1`;
- each beat also sweeps (`sweep`, which the daily duties run too): it marks failed the
  downloads whose worker is no longer alive (reports.prepared.fail_abandoned), so the
  person sees it and can ask again. Pages only show such a download failed; they write
  nothing (reports.prepared.as_shown).
"""

import logging
import os
import socket
import threading
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models.functions import Now

from reports.models import WorkerHeartbeat

logger = logging.getLogger(__name__)


class WorkerStopped(Exception):
    """Named on a task result whose worker stopped beating while running it."""


def alive_since():
    """A worker whose last beat is older than this is taken for dead. Beats are written
    and compared with the database's clock (Now()), never a host's: a worker host whose
    clock lags would otherwise look dead to the others, or a dead one alive."""
    return Now() - timedelta(seconds=settings.WORKER_HEARTBEAT_TIMEOUT)


def alive_workers() -> dict[str, set[str]]:
    """The workers alive, each with the queues it takes (a worker that did not record
    them, started before they were recorded, is counted as taking every queue)."""
    beats = WorkerHeartbeat.objects.filter(beat_at__gte=alive_since())
    return {
        worker_id: set(queues.split(",") if queues else every_queue())
        for worker_id, queues in beats.values_list("worker_id", "queues")
    }


def alive_worker_ids() -> set[str]:
    return set(alive_workers())


def every_queue() -> list[str]:
    """The queues of settings.TASKS, which workers take (reports.prepared.queue_of)."""
    return list(settings.TASKS["default"]["QUEUES"])


def queues_taken(names: list[str], *, excluded: list[str] = ()) -> list[str]:
    """The queues a worker started with `--queue-name` `names` (comma-split; "*" for
    every queue) and `--exclude-queues` `excluded` takes."""
    taken = every_queue() if "*" in names else names
    return [queue for queue in taken if queue not in excluded]


def queues_without_a_worker(alive: dict[str, set[str]] | None = None) -> list[str]:
    """The queues that no live worker takes: what is sent there waits until one starts.
    `alive`: alive_workers(), when the caller has read it."""
    alive = alive_workers() if alive is None else alive
    taken = set().union(*alive.values())
    return [queue for queue in every_queue() if queue not in taken]


def beat(
    worker_id: str, *, queues: list[str] | None = None, started_at: datetime | None = None
) -> None:
    """Record that the worker `worker_id`, taking `queues` (every queue if not given), is
    alive now."""
    WorkerHeartbeat.objects.update_or_create(
        worker_id=worker_id,
        defaults={"beat_at": Now()},
        create_defaults={
            "beat_at": Now(),
            "started_at": started_at or Now(),
            "hostname": socket.gethostname()[:255],
            "pid": os.getpid(),
            "queues": ",".join(every_queue() if queues is None else queues),
        },
    )


def sweep() -> int:
    """What any living worker does for the dead ones at each beat, and the daily duties
    too (for when no worker is left alive): fail their downloads and tasks, and forget
    their heartbeats once they are long gone. Returns how many downloads were failed."""
    from reports import prepared  # prepared imports this module

    failed = prepared.fail_abandoned()
    WorkerHeartbeat.objects.filter(beat_at__lt=Now() - timedelta(days=1)).delete()
    return failed


class Heartbeat:
    """The heartbeat of one worker process, for as long as the `with` block runs."""

    def __init__(
        self, worker_id: str, *, queues: list[str] | None = None, every: float | None = None
    ):
        self.worker_id = worker_id
        self.queues = queues
        self.every = every if every is not None else settings.WORKER_HEARTBEAT_SECONDS
        self._stopped = threading.Event()
        self._thread = threading.Thread(target=self._run, name="worker-heartbeat", daemon=True)

    def __enter__(self) -> "Heartbeat":
        # The first beat and sweep before any task is taken: the worker is ready at once,
        # and what a worker killed before this one left behind is failed.
        beat(self.worker_id, queues=self.queues)
        sweep()
        self._thread.start()
        return self

    def __exit__(self, *exc_info) -> None:
        self._stopped.set()
        self._thread.join(timeout=self.every + 5)
        try:
            WorkerHeartbeat.objects.filter(worker_id=self.worker_id).delete()
        except Exception:
            # The database is gone too: the beat goes stale and is taken for dead anyway.
            logger.exception("worker %s could not remove its heartbeat", self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(self.every):
                try:
                    beat(self.worker_id, queues=self.queues)
                    sweep()
                except Exception:
                    # A database blip: the next beat tries again; /readyz shows the gap.
                    logger.exception("worker %s could not record its heartbeat", self.worker_id)
                    connection.close()
        finally:
            connection.close()  # this thread's own connection
