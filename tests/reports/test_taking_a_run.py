"""Taking the run under way (reports.prepared.take_run_under_way): someone who reads the
whole program asks for a file that a worker is already writing for another such person;
the download's page offers that file, saying how much older its data is than their
request, and one button makes it theirs too, instead of waiting for a run of their own."""

import hashlib
import io
import re
import threading

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.db import connection
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from grants.audit import AuditEvent
from reports import prepared, workers
from reports.exports.workbooks import exported_at
from reports.models import PreparedDownload, WorkerHeartbeat
from reports.prepared_views import _duration
from tests.reports.prepared_helpers import ask, drawdowns_with_memos


def _about(download: PreparedDownload) -> dict:
    with default_storage.open(download.storage_name, "rb") as handle:
        workbook = load_workbook(io.BytesIO(handle.read()))
    return {row[0]: row[1] for row in workbook["About"].iter_rows(values_only=True)}


def _while_written(monkeypatch, act):
    """Run `act(run)` once, as the worker has counted the rows and started writing:
    what someone does on their own pages meanwhile."""
    start = prepared.Progress.start

    def started(progress, total):
        start(progress, total)
        act(PreparedDownload.objects.get(pk=progress.run_id))

    monkeypatch.setattr(prepared.Progress, "start", started)


def test_someone_asking_while_the_file_is_written_may_take_that_file(
    client, program, memory_storage, monkeypatch
):
    """The auditor's FY2025 workbook is being written; the program manager asks for it
    then. Their page offers the file being written, with its data's time; they take it,
    and the one run stores it for both, naming both, with that run's data time."""
    first = ask(program.auditor, "workbook", fiscal_year=2025)
    workers.beat("worker-1")
    client.force_login(program.pm)
    seen = {}

    def the_manager_asks(run):
        seen["late"] = late = ask(program.pm, "workbook", fiscal_year=2025)
        page = client.get(reverse("exports:download", args=[late.pk])).content.decode()
        seen["page"] = re.sub(r"\s+", " ", page)
        taken = client.post(reverse("exports:take_run", args=[late.pk]))
        assert taken.status_code == 302 and taken["Location"] == reverse(
            "exports:download", args=[late.pk]
        )
        late.refresh_from_db()
        seen["taken"] = (late.status, late.run_id, late.data_as_of, late.rows_total)
        seen["run"] = run

    _while_written(monkeypatch, the_manager_asks)
    prepared.prepare(first.pk, worker_id="worker-1")

    assert 'data-testid="run-offer"' in seen["page"]
    data_as_of = seen["run"].data_as_of
    assert (
        'The same file is being written now</h2> <p class="usa-summary-box__text">It has the '
        "data as of " in seen["page"]
    )
    assert "before you asked, and 0% of its rows are written." in seen["page"]
    assert seen["taken"] == ("running", first.pk, data_as_of, seen["run"].rows_total)

    first.refresh_from_db()
    late = seen["late"]
    late.refresh_from_db()
    assert (first.status, late.status) == ("ready", "ready")
    assert late.sha256 == first.sha256 and late.storage_name != first.storage_name
    assert late.data_as_of == first.data_as_of == data_as_of < late.requested_at
    assert late.rows_done == late.rows_total == first.rows_total > 0
    about = _about(late)
    assert about["Exported by"] == "auditor, pm"
    assert about["Exported at"] == exported_at(data_as_of)
    assert about["Shared"].startswith("One file for everyone named above")
    taken = AuditEvent.objects.get(action=prepared.TOOK_RUN)
    assert (taken.actor, taken.object_id) == (program.pm, str(late.pk))
    assert taken.data["run"] == str(first.pk)
    assert taken.data["data_as_of"] == data_as_of.isoformat()
    # Their own task, when a worker takes it, finds the file written and writes nothing.
    prepared.prepare(late.pk, worker_id="worker-2")
    assert AuditEvent.objects.filter(action=prepared.PREPARED).count() == 2

    # The page of the file they took says whose data time it has.
    page = client.get(reverse("exports:download", args=[late.pk])).content.decode()
    assert f"data as of {_local(data_as_of)}" in page


def _local(moment) -> str:
    return timezone.localtime(moment).strftime("%m/%d/%Y %H:%M:%S")


def test_the_offer_is_not_made_and_taking_is_refused_where_a_run_cannot_be_shared(
    client, program, memory_storage, monkeypatch
):
    """No offer, and a refusal that changes nothing: to a task force's finance officer
    (their file is read through their task force); for an evidence pack (it names who
    generated it); once the run has written its rows; for a run whose worker is gone."""
    workers.beat("worker-1")
    drawdowns_with_memos(program)
    code = program.award_a.task_force.code
    pack = ask(program.auditor, "pack", task_force_code=code)
    ledger = ask(program.auditor, "ledger_csv", task_force_code=code)
    refused = {}

    def others_try(run):
        for person, kind in ((program.officer_a, "ledger_csv"), (program.pm, "pack")):
            if run.kind != kind:
                continue
            late = ask(person, kind, task_force_code=code)
            client.force_login(person)
            page = client.get(reverse("exports:download", args=[late.pk])).content.decode()
            assert 'data-testid="run-offer"' not in page
            answer = client.post(reverse("exports:take_run", args=[late.pk]), follow=True)
            refused[person.username] = (answer.content.decode(), late)

    _while_written(monkeypatch, others_try)
    prepared.prepare(ledger.pk, worker_id="worker-1")
    prepared.prepare(pack.pk, worker_id="worker-1")
    for page, late in refused.values():
        assert prepared.NO_RUN_UNDER_WAY in page
        late.refresh_from_db()
        assert (late.status, late.run_id) == ("queued", None)
    assert set(refused) == {program.officer_a.username, program.pm.username}
    assert not AuditEvent.objects.filter(action=prepared.TOOK_RUN).exists()

    # A run that has written its rows takes no one; nor one whose worker stopped.
    for rows_done, worker in ((12, "worker-1"), (3, "worker-gone")):
        run = ask(program.auditor, "ledger_csv")
        PreparedDownload.objects.filter(pk=run.pk).update(
            status="running", run=run, worker_id=worker, rows_done=rows_done, rows_total=12,
            data_as_of=run.requested_at,
        )  # fmt: skip
        late = ask(program.pm, "ledger_csv")
        assert prepared.run_under_way(late, alive=workers.alive_worker_ids()) is None
        with pytest.raises(ValidationError):
            prepared.take_run_under_way(user=program.pm, download_id=late.pk)
        late.refresh_from_db()
        assert late.status == "queued"
        PreparedDownload.objects.filter(pk__in=[run.pk, late.pk]).delete()


def test_nobody_takes_another_persons_download_into_a_run(client, program, memory_storage):
    workers.beat("worker-1")
    mine = ask(program.pm, "ledger_csv")
    client.force_login(program.auditor)
    assert client.post(reverse("exports:take_run", args=[mine.pk])).status_code == 404
    assert client.get(reverse("exports:take_run", args=[mine.pk])).status_code == 405
    mine.refresh_from_db()
    assert mine.status == "queued"


def test_a_run_that_fails_fails_for_whoever_took_it(program, memory_storage, monkeypatch):
    workers.beat("worker-1")
    drawdowns_with_memos(program)
    first = ask(program.auditor, "ledger_csv")
    taken = {}

    def the_manager_takes_it(run):
        late = ask(program.pm, "ledger_csv")
        taken["late"] = prepared.take_run_under_way(user=program.pm, download_id=late.pk)
        raise OSError("disk full on /var/tmp")

    _while_written(monkeypatch, the_manager_takes_it)
    with pytest.raises(OSError):
        prepared.prepare(first.pk, worker_id="worker-1")
    late = taken["late"]
    for download in (first, late):
        download.refresh_from_db()
    assert [d.status for d in (first, late)] == ["failed", "failed"]
    assert late.error.startswith("The file could not be written.")
    assert not default_storage.exists(f"{prepared.STORAGE_FOLDER}/{program.pm.pk}")


def test_a_run_whose_worker_stops_fails_for_whoever_took_it(program, memory_storage):
    """Taken into a run whose worker then stops beating, the download shows failed and
    the sweep marks it so, as the run's own."""
    workers.beat("worker-1")
    run = ask(program.auditor, "ledger_csv")
    PreparedDownload.objects.filter(pk=run.pk).update(
        status="running", run=run, worker_id="worker-1", rows_done=3, rows_total=12,
        data_as_of=run.requested_at,
    )  # fmt: skip
    late = prepared.take_run_under_way(
        user=program.pm, download_id=ask(program.pm, "ledger_csv").pk
    )
    assert (late.status, late.worker_id, late.rows_done) == ("running", "worker-1", 3)
    WorkerHeartbeat.objects.filter(worker_id="worker-1").delete()  # it stopped
    (shown,) = prepared.as_shown([late])
    assert shown.abandoned
    assert prepared.fail_abandoned() == 2


@pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the run's own connection is PostgreSQL's"
)
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_on_postgresql_the_run_reads_who_took_it_through_its_own_connection(
    committed_program, memory_storage, monkeypatch
):
    """The worker reads the file in a READ ONLY snapshot taken before the program
    manager took its run (on their own connection, as a web request would): the About
    sheet still names them, their copy is stored, and their page followed the progress."""
    program = committed_program
    workers.beat("worker-1")
    first = ask(program.auditor, "workbook", fiscal_year=2025)
    monkeypatch.setattr(prepared, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr("reports.exports.xlsx.PROGRESS_EVERY", 1)
    taken = {}

    def the_manager_takes_it(run):
        def in_a_request_of_their_own():
            try:
                late = ask(program.pm, "workbook", fiscal_year=2025)
                taken["late"] = prepared.take_run_under_way(user=program.pm, download_id=late.pk)
            finally:
                connection.close()

        thread = threading.Thread(target=in_a_request_of_their_own)
        thread.start()
        thread.join()

    _while_written(monkeypatch, the_manager_takes_it)
    prepared.prepare(first.pk, worker_id="worker-1")

    late = taken["late"]
    first.refresh_from_db()
    late.refresh_from_db()
    assert (first.status, late.status) == ("ready", "ready")
    assert late.sha256 == first.sha256
    assert _about(late)["Exported by"] == "auditor, pm"
    with default_storage.open(late.storage_name, "rb") as handle:
        assert hashlib.sha256(handle.read()).hexdigest() == late.sha256


def test_the_offer_says_how_much_older_the_data_is():
    assert [_duration(s) for s in (0.4, 1, 45, 119, 120, 3599, 3600, 3725)] == [
        "1 second", "1 second", "45 seconds", "119 seconds", "2 minutes", "1 hour",
        "1 hour", "1 hour 2 minutes",
    ]  # fmt: skip
