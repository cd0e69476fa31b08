"""Background tasks (django-tasks; `manage.py db_worker` runs them)."""

from django_tasks import task

from reports import prepared


@task()
def prepare_download(download_id: str) -> None:
    """Write one prepared download (reports.prepared.prepare)."""
    prepared.prepare(download_id)
