"""Background tasks (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import TaskContext, task

from reports import prepared


@task(takes_context=True)
def prepare_download(context: TaskContext, download_id: str) -> None:
    """Write one prepared download (reports.prepared.prepare), as the worker that claimed
    the task: if that worker dies, its heartbeat stops and the download is failed."""
    worker_ids = context.task_result.worker_ids
    prepared.prepare(download_id, worker_id=worker_ids[-1] if worker_ids else "")
