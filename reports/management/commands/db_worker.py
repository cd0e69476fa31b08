"""`manage.py db_worker`: django-tasks' database worker, with a heartbeat.

This command takes the place of django_tasks_db's own (reports comes before it in
INSTALLED_APPS), so every way of starting a worker (`make run`, the process manager, the
tests) records the heartbeat that /readyz and the failing of abandoned downloads rely on
(reports/workers.py). Its options are django_tasks_db's, but it takes every queue of
settings.TASKS unless told which (`--queue-name default` or `large`:
reports.prepared.queue_of).
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from reports.workers import Heartbeat, queues_taken


class Command(db_worker.Command):
    help = "Run a database background worker that records its heartbeat (reports/workers.py)"

    def add_arguments(self, parser) -> None:
        super().add_arguments(parser)
        parser.set_defaults(queue_name="*")

    def handle(self, *args, reload: bool, batch: bool, worker_id: str, **options) -> None:
        options.update(reload=reload, batch=batch, worker_id=worker_id)
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The reloader's parent only watches the files; the child it starts runs
            # the worker, and beats.
            return super().handle(*args, **options)
        queues = queues_taken(
            options["queue_name"].split(","),
            excluded=(options.get("exclude_queues") or "").split(","),
        )
        with Heartbeat(worker_id, queues=queues):
            return super().handle(*args, **options)
