"""Large files prepared in the background (reports.prepared): asked for with a button,
written by the worker (`manage.py db_worker`), followed on a page that refreshes itself,
fetched from "My downloads" with their SHA-256, the owner's only, deleted when expired."""

import csv
import hashlib
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from django_tasks_db.models import DBTaskResult
from openpyxl import load_workbook

from grants import access
from grants.audit import AuditEvent
from reports import prepared, workers
from reports.models import PreparedDownload
from tests import factories
from tests.reports.prepared_helpers import BRAVO_MEMO, HYPERLINK, ask, drawdowns_with_memos


def _stored_bytes(download: PreparedDownload) -> bytes:
    with default_storage.open(download.storage_name, "rb") as handle:
        return handle.read()


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_worker_prepares_the_program_workbook_for_its_owner_only(
    client, committed_program, memory_storage
):
    program = committed_program
    drawdowns_with_memos(program)
    client.force_login(program.officer_a)
    response = client.post(reverse("exports:prepare_download"), {"kind": "workbook"})
    download = PreparedDownload.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("exports:download", args=[download.pk])
    assert (download.owner, download.status, download.label) == (
        program.officer_a,
        "queued",
        "Auditor workbook: The whole program (XLSX)",
    )
    queued = DBTaskResult.objects.get()
    assert queued.task_path == "reports.tasks.prepare_download"
    assert queued.status == "READY"  # waiting for a worker

    page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
    assert '<meta http-equiv="refresh" content="2">' in page
    assert "Waiting for a worker" in page and "<script>" not in page  # no inline script

    call_command("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload")

    download.refresh_from_db()
    assert download.status == "ready", download.error
    assert DBTaskResult.objects.get().status == "SUCCESSFUL"
    assert download.rows_done == download.rows_total > 0
    assert download.expires_on == date.today() + timedelta(days=7)
    stored = _stored_bytes(download)
    assert hashlib.sha256(stored).hexdigest() == download.sha256
    assert download.size == len(stored)

    page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
    assert "http-equiv" not in page
    assert download.sha256 in page and download.filename in page
    listing = client.get(reverse("exports:my_downloads")).content.decode()
    assert download.sha256 in listing

    response = client.get(reverse("exports:download_file", args=[download.pk]))
    assert response.status_code == 200
    fetched = b"".join(response.streaming_content)
    assert hashlib.sha256(fetched).hexdigest() == download.sha256
    assert response["Content-Disposition"].startswith("attachment")

    workbook = load_workbook(io.BytesIO(fetched))
    memos = [row[13] for row in workbook["Ledger"].iter_rows(min_row=2, values_only=True)]
    assert HYPERLINK in memos and BRAVO_MEMO not in memos  # task force A's data only
    awards = [row[0] for row in workbook["Awards"].iter_rows(min_row=2, values_only=True)]
    assert program.award_b.award_number not in awards
    assert program.award_a.award_number in awards

    actions = list(
        AuditEvent.objects.filter(object_id=str(download.pk))
        .order_by("pk")
        .values_list("action", "data__file_sha256")
    )
    assert actions == [
        ("reports.export.requested", None),
        ("reports.export.prepared", download.sha256),
        ("reports.export.downloaded", download.sha256),
    ]

    # Another person, even one who sees every task force, finds no such download.
    for other in (program.officer_b, program.auditor):
        client.force_login(other)
        assert client.get(reverse("exports:download", args=[download.pk])).status_code == 404
        assert client.get(reverse("exports:download_file", args=[download.pk])).status_code == 404
        assert download.label not in client.get(reverse("exports:my_downloads")).content.decode()


def test_progress_is_reported_as_rows_are_written(client, program, memory_storage, monkeypatch):
    drawdowns_with_memos(program)
    monkeypatch.setattr(prepared, "PROGRESS_SECONDS", 0)
    monkeypatch.setattr("reports.exports.xlsx.PROGRESS_EVERY", 1)
    seen = []
    write = prepared.Progress._write

    def recorded(self, **fields):
        seen.append(fields)
        write(self, **fields)

    monkeypatch.setattr(prepared.Progress, "_write", recorded)
    download = prepared.request_download(
        user=program.pm, kind="workbook", selection=prepared.selection_for(user=program.pm)
    )
    prepared.prepare(download.pk)

    download.refresh_from_db()
    total = download.rows_total
    # Every row of every sheet is counted before the first is written, and the moment
    # the data was read is recorded with the count.
    assert seen[0] == {"rows_total": total, "rows_done": 0, "data_as_of": download.data_as_of}
    assert download.requested_at <= download.data_as_of <= download.finished_at
    done = [fields["rows_done"] for fields in seen[1:]]
    assert done == sorted(done) and done[0] == 1 and done[-1] == total
    assert len(done) >= total  # one report a row at PROGRESS_EVERY = 1

    PreparedDownload.objects.filter(pk=download.pk).update(
        status="running", rows_done=3, rows_total=12
    )
    client.force_login(program.pm)
    page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
    assert "Being prepared: <span" in page and "3 of 12 rows</span> written" in page
    assert 'max="100" value="25"' in page
    assert '<meta http-equiv="refresh" content="2">' in page


def test_the_ledger_downloads_as_csv_with_formulas_escaped(program, memory_storage):
    drawdowns_with_memos(program)
    download = prepared.request_download(
        user=program.officer_a,
        kind="ledger_csv",
        selection=prepared.selection_for(user=program.officer_a),
    )
    prepared.prepare(download.pk)
    download.refresh_from_db()
    stored = _stored_bytes(download)
    assert hashlib.sha256(stored).hexdigest() == download.sha256
    assert download.filename.startswith("ledger-program-") and download.filename.endswith(".csv")
    text = stored.decode("utf-8-sig")
    assert text.splitlines()[1].startswith('"15PJDP-25-GK-00001-MECP",')  # every cell quoted
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:4] == ["Award number", "Entry", "Date", "Kind"]
    assert [(r[0], r[8], r[13]) for r in rows[1:]] == [
        ("15PJDP-25-GK-00001-MECP", "1234.56", "'" + HYPERLINK)
    ]


def test_a_finance_officer_gets_their_own_task_force_pack_only(client, program, memory_storage):
    client.force_login(program.officer_a)
    response = client.post(
        reverse("exports:prepare_download"),
        {"kind": "pack", "task_force": program.task_force_b.code},
    )
    assert response.status_code == 404
    assert not PreparedDownload.objects.exists()
    response = client.post(
        reverse("exports:prepare_download"),
        {"kind": "pack", "task_force": program.task_force_a.code},
    )
    download = PreparedDownload.objects.get()
    assert download.label == f"Evidence pack: Task force {program.task_force_a.name} (ZIP)"
    prepared.prepare(download.pk)
    download.refresh_from_db()
    assert download.status == "ready" and download.filename.endswith(".zip")
    assert hashlib.sha256(_stored_bytes(download)).hexdigest() == download.sha256
    # Each step is in the task force's audit trail, its download too.
    client.get(reverse("exports:download_file", args=[download.pk]))
    events = AuditEvent.objects.filter(object_id=str(download.pk)).order_by("pk")
    assert [(e.action, e.task_force) for e in events] == [
        ("reports.export.requested", program.task_force_a),
        ("reports.export.prepared", program.task_force_a),
        ("reports.export.downloaded", program.task_force_a),
    ]


def test_bad_requests_say_what_was_wrong_and_queue_nothing(client, program, memory_storage):
    client.force_login(program.officer_a)
    response = client.post(
        reverse("exports:prepare_download"), {"kind": "workbook", "fy": "=1+1"}, follow=True
    )
    assert "Fiscal year must be a year such as 2025; got &#x27;=1+1&#x27;." in (
        response.content.decode()
    )
    response = client.post(reverse("exports:prepare_download"), {"kind": "poster"}, follow=True)
    assert "Unknown kind of download &#x27;poster&#x27;." in response.content.decode()
    # The program summary is for the program office.
    response = client.post(reverse("exports:prepare_download"), {"kind": "summary", "fy": "2025"})
    assert response.status_code == 403
    assert not PreparedDownload.objects.exists()
    assert client.get(reverse("exports:prepare_download")).status_code == 405


def test_asking_again_for_a_file_still_being_prepared_leads_to_the_same_one(
    client, program, memory_storage, django_capture_on_commit_callbacks
):
    client.force_login(program.officer_a)
    with django_capture_on_commit_callbacks(execute=True) as queued:
        asks = [
            client.post(reverse("exports:prepare_download"), {"kind": "workbook", "fy": "2025"})
            for _ in range(2)
        ]

    assert asks[0]["Location"] == asks[1]["Location"]
    (download,) = PreparedDownload.objects.all()
    assert asks[0]["Location"] == reverse("exports:download", args=[download.pk])
    assert AuditEvent.objects.filter(action=prepared.REQUESTED).count() == 1
    assert len(queued) == 1
    assert DBTaskResult.objects.count() == 1
    # Another year, or another kind, is another file.
    client.post(reverse("exports:prepare_download"), {"kind": "workbook", "fy": "2024"})
    client.post(reverse("exports:prepare_download"), {"kind": "ledger_csv", "fy": "2025"})
    assert PreparedDownload.objects.count() == 3
    # Once the first has failed or is written, asking again writes it anew.
    PreparedDownload.objects.filter(pk=download.pk).update(status="failed")
    again = client.post(reverse("exports:prepare_download"), {"kind": "workbook", "fy": "2025"})
    assert again["Location"] != asks[0]["Location"]
    assert PreparedDownload.objects.count() == 4


def _ask_for_the_program_workbook_then_a_ledger(client, program):
    """As the auditor, the whole program's workbook, then award A's ledger as CSV: the
    two downloads (large, small)."""
    client.force_login(program.auditor)
    client.post(reverse("exports:prepare_download"), {"kind": "workbook"})
    client.post(
        reverse("exports:prepare_download"),
        {"kind": "ledger_csv", "award": program.award_a.award_number},
    )
    return (
        PreparedDownload.objects.get(kind="workbook"),
        PreparedDownload.objects.get(kind="ledger_csv"),
    )


def test_a_smaller_file_asked_for_later_is_written_first(
    client, program, memory_storage, django_capture_on_commit_callbacks
):
    """The workers take the file with the fewest rows first: an award's ledger as CSV is
    not held up behind the whole program's workbook asked for before it."""
    drawdowns_with_memos(program)
    with django_capture_on_commit_callbacks(execute=True):
        big, small = _ask_for_the_program_workbook_then_a_ledger(client, program)
    selection = prepared.selection_for(
        user=program.auditor, award_number=program.award_a.award_number
    )
    assert prepared.rows_to_prepare("ledger_csv", user=program.auditor, selection=selection) == 1

    # The order a worker claims them in (django_tasks_db: highest priority first).
    queue = [result.args_kwargs["args"][0] for result in DBTaskResult.objects.ready()]
    assert queue == [str(small.pk), str(big.pk)]
    priorities = sorted(DBTaskResult.objects.values_list("priority", flat=True))
    assert priorities[0] < priorities[1] <= 0
    assert [prepared.queue_priority(n) for n in (0, 9, 1_000, 1_000_000, 10**12)] == [
        0,
        -10,
        -30,
        -60,
        -100,
    ]


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_worker_on_each_queue_takes_only_its_own_files(
    client, committed_program, memory_storage, settings
):
    """A file of LARGE_FILE_ROWS rows or more goes to the queue "large": a worker started
    on "large" writes it and leaves the small file, which a worker on "default" writes;
    a worker told no queue takes both.
    (Committed records: the worker run in-process closes the connection.)"""
    program = committed_program
    settings.LARGE_FILE_ROWS = 2  # the whole program's workbook here has more rows
    drawdowns_with_memos(program)
    big, small = _ask_for_the_program_workbook_then_a_ledger(client, program)
    queues = {r.args_kwargs["args"][0]: r.queue_name for r in DBTaskResult.objects.all()}
    assert queues == {str(big.pk): "large", str(small.pk): "default"}
    assert [prepared.queue_of(n) for n in (1, 2, 10**6)] == ["default", "large", "large"]

    worker = ("db_worker", "--batch", "--no-startup-delay", "--interval", "0", "--no-reload")
    call_command(*worker, "--queue-name", "large")
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.status, small.status) == ("ready", "queued"), big.error

    call_command(*worker, "--queue-name", "default")
    small.refresh_from_db()
    assert small.status == "ready", small.error

    # A worker told no queue (make run's one) takes both.
    PreparedDownload.objects.all().delete()
    big, small = _ask_for_the_program_workbook_then_a_ledger(client, program)
    call_command(*worker)
    big.refresh_from_db()
    small.refresh_from_db()
    assert (big.status, small.status) == ("ready", "ready")


def _ready(owner, *, expires_on: date, name: str) -> PreparedDownload:
    stored = default_storage.save(f"prepared-downloads/{owner.pk}/{name}", ContentFile(b"x"))
    return PreparedDownload.objects.create(
        owner=owner,
        kind="workbook",
        label=name,
        status="ready",
        filename=name,
        storage_name=stored,
        size=1,
        sha256=hashlib.sha256(b"x").hexdigest(),
        expires_on=expires_on,
    )


def test_my_downloads_shows_dates_as_the_rest_of_the_app_does(client, program, memory_storage):
    """MM/DD/YYYY, with the time in the program's time zone (America/New_York)."""
    download = _ready(program.pm, expires_on=date(2026, 12, 7), name="program.xlsx")
    PreparedDownload.objects.filter(pk=download.pk).update(
        requested_at=datetime(2026, 11, 30, 13, 19, tzinfo=UTC)
    )
    client.force_login(program.pm)
    listed = client.get(reverse("exports:my_downloads")).content.decode()
    assert '<td data-label="Asked for">11/30/2026 08:19</td>' in listed
    assert "kept until 12/07/2026." in listed
    page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
    assert "Asked for 11/30/2026 08:19." in page
    assert "kept until 12/07/2026." in page
    for shown in (listed, page):
        assert "2026-11-30" not in shown and "2026-12-07" not in shown


@pytest.mark.parametrize("command", ["run_daily", "send_reminders"])
def test_the_daily_duties_delete_expired_downloads(program, memory_storage, command):
    today = date(2025, 6, 10)
    old = _ready(program.pm, expires_on=today - timedelta(days=1), name="old.xlsx")
    kept = _ready(program.pm, expires_on=today, name="kept.xlsx")
    # A request whose worker stopped before it finished, as old as the files kept.
    stale = PreparedDownload.objects.create(owner=program.pm, kind="pack", label="P")
    PreparedDownload.objects.filter(pk=stale.pk).update(
        status="running",
        requested_at=timezone.make_aware(datetime.combine(today - timedelta(days=8), time.min)),
    )
    out = io.StringIO()
    call_command(command, "--today", today.isoformat(), stdout=out)
    assert "Expired downloads deleted: 1" in out.getvalue()
    assert not default_storage.exists(old.storage_name)
    assert default_storage.exists(kept.storage_name)
    assert list(PreparedDownload.objects.values_list("filename", flat=True)) == ["kept.xlsx"]
    event = AuditEvent.objects.get(action="reports.export.expired")
    assert event.actor is None and event.data["filename"] == "old.xlsx"


def test_an_expired_or_unfinished_file_is_not_found(client, program, memory_storage):
    client.force_login(program.pm)
    waiting = PreparedDownload.objects.create(owner=program.pm, kind="workbook", label="W")
    assert client.get(reverse("exports:download_file", args=[waiting.pk])).status_code == 404
    gone = _ready(program.pm, expires_on=date.today(), name="gone.xlsx")
    default_storage.delete(gone.storage_name)
    assert client.get(reverse("exports:download_file", args=[gone.pk])).status_code == 404


def test_an_old_address_offers_the_file_and_writes_nothing_in_the_request(
    client, program, memory_storage
):
    client.force_login(program.officer_a)
    number = program.award_a.award_number
    response = client.get(reverse("exports:award_pack", args=[number]))
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('exports:my_downloads')}?kind=pack&award={number}"
    assert not PreparedDownload.objects.exists()  # a GET asks for nothing
    page = client.get(response["Location"]).content.decode()
    assert f"Evidence pack: Award {number} (ZIP)" in page
    assert f'<input type="hidden" name="award" value="{number}">' in page
    assert "http-equiv" not in page  # nothing to follow yet

    client.post(reverse("exports:prepare_download"), {"kind": "pack", "award": number})
    download = PreparedDownload.objects.get()
    assert (download.label, download.selection["award"]) == (
        f"Evidence pack: Award {number} (ZIP)",
        number,
    )
    prepared.prepare(download.pk)
    download.refresh_from_db()
    assert download.status == "ready" and download.filename.startswith(f"evidence-pack-{number}-")

    # Another task force's award is not offered, nor prepared; a bad kind says so.
    other = program.award_b.award_number
    assert (
        client.get(reverse("exports:my_downloads"), {"kind": "pack", "award": other}).status_code
        == 404
    )
    assert (
        client.post(
            reverse("exports:prepare_download"), {"kind": "pack", "award": other}
        ).status_code
        == 404
    )
    page = client.get(reverse("exports:my_downloads"), {"kind": "poster"}).content.decode()
    assert "Unknown kind of download &#x27;poster&#x27;." in page
    assert 'data-testid="prepare-offer"' not in page
    assert PreparedDownload.objects.count() == 1


def test_an_address_for_the_program_summary_shows_my_downloads_outside_the_program_office(
    client, program, memory_storage
):
    client.force_login(program.officer_a)
    response = client.get(reverse("exports:my_downloads"), {"kind": "summary", "fy": "2025"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "The program summary is for the program office; you cannot ask for it" in page
    assert 'data-testid="prepare-offer"' not in page
    assert "Program summary, FY2025" not in page
    assert not PreparedDownload.objects.exists()


def test_one_run_writes_the_same_file_for_everyone_who_asked_while_it_waited(
    client, program, memory_storage
):
    """The auditor, the program manager and the approver ask for the FY2025 workbook
    before a worker is free: one run writes it, and each has the same file in their own
    My downloads. Asked for after the run started, it is a run of its own."""
    drawdowns_with_memos(program)
    first = ask(program.auditor, "workbook", fiscal_year=2025)
    second = ask(program.pm, "workbook", fiscal_year=2025)
    third = ask(program.approver, "workbook", fiscal_year=2025)
    other_year = ask(program.pm, "workbook", fiscal_year=2024)
    other_kind = ask(program.pm, "ledger_csv", fiscal_year=2025)
    write = prepared.WRITERS["workbook"]
    late = {}

    another_auditor = factories.make_user("auditor2", groups=[access.AUDITOR])

    def asked_for_while_written(handle, **kwargs):
        late["download"] = ask(another_auditor, "workbook", fiscal_year=2025)
        return write(handle, **kwargs)

    prepared.WRITERS["workbook"] = asked_for_while_written
    try:
        prepared.prepare(first.pk, worker_id="worker-1")
    finally:
        prepared.WRITERS["workbook"] = write

    shared = [first, second, third]
    for download in [*shared, other_year, other_kind, late["download"]]:
        download.refresh_from_db()
    assert [d.status for d in shared] == ["ready", "ready", "ready"]
    assert [d.status for d in (other_year, other_kind)] == ["queued", "queued"]
    assert late["download"].status == "queued"  # asked for once the run had started
    assert len({d.sha256 for d in shared}) == 1
    assert len({d.storage_name for d in shared}) == 3  # a copy each: each expires alone
    assert all(d.rows_done == d.rows_total == first.rows_total > 0 for d in shared)
    stored = _stored_bytes(third)
    assert hashlib.sha256(stored).hexdigest() == first.sha256
    about = {
        row[0]: row[1]
        for row in load_workbook(io.BytesIO(stored))["About"].iter_rows(values_only=True)
    }
    assert about["Exported by"] == "auditor, pm, approver"
    assert about["Shared"].startswith("One file for everyone named above")

    # Each is recorded as prepared for its owner, with the one file's SHA-256.
    prepared_for = set(
        AuditEvent.objects.filter(action=prepared.PREPARED).values_list(
            "actor__username", "object_id", "data__file_sha256"
        )
    )
    assert prepared_for == {(d.owner.username, str(d.pk), first.sha256) for d in shared}
    # Their own tasks, when a worker takes them, find them written and write nothing.
    prepared.prepare(second.pk, worker_id="worker-2")
    assert AuditEvent.objects.filter(action=prepared.PREPARED).count() == 3

    # Each fetches their own copy; nobody fetches another's.
    client.force_login(program.pm)
    fetched = client.get(reverse("exports:download_file", args=[second.pk]))
    assert hashlib.sha256(b"".join(fetched.streaming_content)).hexdigest() == first.sha256
    assert client.get(reverse("exports:download_file", args=[first.pk])).status_code == 404


def test_a_file_read_through_a_task_force_is_never_shared(program, memory_storage):
    """Task force A's ledger asked for by the auditor and by A's finance officer: the
    officer's is read through their own scope, in a run of its own."""
    drawdowns_with_memos(program)
    code = program.award_a.task_force.code
    auditor = ask(program.auditor, "ledger_csv", task_force_code=code)
    officer = ask(program.officer_a, "ledger_csv", task_force_code=code)

    prepared.prepare(auditor.pk, worker_id="worker-1")
    officer.refresh_from_db()
    assert officer.status == "queued"

    # Nor does the officer's run take the auditor's, asked for again.
    again = ask(program.auditor, "ledger_csv", task_force_code=code)
    prepared.prepare(officer.pk, worker_id="worker-1")
    again.refresh_from_db()
    officer.refresh_from_db()
    assert (officer.status, again.status) == ("ready", "queued")


def test_packs_and_disabled_accounts_are_never_in_a_shared_run(program, memory_storage):
    """An evidence pack names who generated it on every page: each is a run of its own.
    A disabled account's request is not written at all."""
    code = program.award_a.task_force.code
    packs = [ask(person, "pack", task_force_code=code) for person in (program.auditor, program.pm)]
    workbooks = [ask(p, "workbook", fiscal_year=2025) for p in (program.auditor, program.pm)]
    program.pm.is_active = False
    program.pm.save()

    prepared.prepare(packs[0].pk, worker_id="worker-1")
    prepared.prepare(workbooks[0].pk, worker_id="worker-1")
    for download in (*packs, *workbooks):
        download.refresh_from_db()
    assert [d.status for d in packs] == ["ready", "queued"]
    assert [d.status for d in workbooks] == ["ready", "queued"]


def test_a_shared_run_whose_copy_cannot_be_stored_leaves_no_file_behind(
    program, memory_storage, monkeypatch
):
    first = ask(program.auditor, "ledger_csv")
    second = ask(program.pm, "ledger_csv")
    saved = []

    class SecondSaveFails:
        """The storage, refusing the second copy."""

        def save(self, name, content, **kwargs):
            if saved:
                raise OSError("storage unavailable")
            saved.append(default_storage.save(name, content, **kwargs))
            return saved[-1]

        def __getattr__(self, name):
            return getattr(default_storage, name)

    monkeypatch.setattr(prepared, "default_storage", SecondSaveFails())
    with pytest.raises(OSError):
        prepared.prepare(first.pk, worker_id="worker-1")
    for download in (first, second):
        download.refresh_from_db()
    assert [d.status for d in (first, second)] == ["failed", "failed"]
    assert len(saved) == 1 and not default_storage.exists(saved[0])


def test_a_shared_run_that_cannot_record_one_copy_leaves_none_being_prepared(
    program, memory_storage, monkeypatch
):
    first = ask(program.auditor, "ledger_csv")
    second = ask(program.pm, "ledger_csv")
    finish = prepared._finish

    def second_fails(download, **kwargs):
        if download.pk == second.pk:
            raise RuntimeError("database went away")
        return finish(download, **kwargs)

    monkeypatch.setattr(prepared, "_finish", second_fails)
    with pytest.raises(RuntimeError):
        prepared.prepare(first.pk, worker_id="worker-1")
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.status, second.status) == ("ready", "failed")
    assert default_storage.exists(first.storage_name)
    assert not default_storage.listdir(f"{prepared.STORAGE_FOLDER}/{program.pm.pk}/{second.pk}")[1]


def test_a_shared_run_that_fails_fails_for_everyone_in_it(program, memory_storage, monkeypatch):
    def broken(handle, **kwargs):
        raise OSError("disk full on /var/tmp")

    monkeypatch.setitem(prepared.WRITERS, "ledger_csv", broken)
    first = ask(program.auditor, "ledger_csv")
    second = ask(program.pm, "ledger_csv")
    with pytest.raises(OSError):
        prepared.prepare(first.pk, worker_id="worker-1")
    for download in (first, second):
        download.refresh_from_db()
    assert [d.status for d in (first, second)] == ["failed", "failed"]
    assert second.error.startswith("The file could not be written.")
    assert set(
        AuditEvent.objects.filter(action=prepared.FAILED).values_list("actor__username", flat=True)
    ) == {"auditor", "pm"}


def test_a_waiting_download_says_what_it_waits_for(client, program, memory_storage):
    first = ask(program.auditor, "workbook", fiscal_year=2025)
    same_as_first = ask(program.pm, "workbook", fiscal_year=2025)
    second = ask(program.auditor, "workbook", fiscal_year=2024)
    third = ask(program.auditor, "ledger_csv", fiscal_year=2025)
    client.force_login(program.auditor)

    def says(download) -> str:
        page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
        found = re.search(r'data-testid="download-ahead">\s*(.*?)\s*</p>', page, re.S)
        return found.group(1) if found else ""

    assert says(third) == (
        "No background worker is running: the file will be written once one starts. "
        "If this lasts, tell the system administrator."
    )
    workers.beat("worker-1")
    assert says(first) == "No other file is waiting: a worker will start on yours shortly."
    # The same file asked for twice is one file to write.
    assert says(third) == (
        "2 files asked for before yours are waiting too. Smaller files are written first."
    )

    # A worker takes the first, and with it the same file asked for by another.
    PreparedDownload.objects.filter(pk__in=[first.pk, same_as_first.pk]).update(
        status="running", worker_id="worker-1"
    )
    assert says(second) == "1 file is being written now; no other was asked for before yours."
    assert says(third) == (
        "1 file is being written now, and 1 more asked for before yours is waiting. "
        "Smaller files are written first."
    )
    assert says(first) == ""  # being written: its progress says the rest


def test_a_large_file_with_no_worker_on_its_queue_says_so(
    client, program, memory_storage, settings
):
    """Only a worker on "default" is alive: a file of LARGE_FILE_ROWS rows or more waits
    for a worker on "large", and its page says that no worker takes it, rather than
    what it waits behind; a small file's page is as before."""
    drawdowns_with_memos(program)
    settings.LARGE_FILE_ROWS = 2
    large = ask(program.auditor, "workbook", fiscal_year=2025)
    settings.LARGE_FILE_ROWS = 100_000
    small = ask(program.auditor, "ledger_csv", fiscal_year=2025)
    assert (large.queue, small.queue) == ("large", "default")
    workers.beat("worker-1", queues=["default"])
    client.force_login(program.auditor)

    def says(download) -> str:
        page = client.get(reverse("exports:download", args=[download.pk])).content.decode()
        return re.search(r'data-testid="download-ahead">\s*(.*?)\s*</p>', page, re.S).group(1)

    assert says(large) == (
        'No background worker is taking files as large as this one (the queue "large"): the '
        "file will be written once one starts. If this lasts, tell the system administrator."
    )

    # A large file takes minutes: its page reloads itself less often than a small one's;
    # My downloads as often as its smallest unfinished file needs.
    def reloads_every(url) -> str:
        page = client.get(url).content.decode()
        return re.search(r'<meta http-equiv="refresh" content="(\d+)">', page).group(1)

    assert reloads_every(reverse("exports:download", args=[large.pk])) == "5"
    assert reloads_every(reverse("exports:download", args=[small.pk])) == "2"
    assert reloads_every(reverse("exports:my_downloads")) == "2"
    # The large file is not ahead of the small one: they wait on queues of their own.
    assert says(small) == "No other file is waiting: a worker will start on yours shortly."
    workers.beat("worker-2", queues=["large"])
    assert says(large) == "No other file is waiting: a worker will start on yours shortly."
    # A file being written on "large" is ahead of the large file only.
    other = ask(program.pm, "workbook", fiscal_year=2024)
    PreparedDownload.objects.filter(pk=other.pk).update(status="running", worker_id="worker-2")
    assert says(large) == "1 file is being written now; no other was asked for before yours."
    assert says(small) == "No other file is waiting: a worker will start on yours shortly."
