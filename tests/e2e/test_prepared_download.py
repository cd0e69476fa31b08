"""A finance officer asks for the program's auditor workbook, watches it being prepared
and finds it in My downloads with its SHA-256; the pages fit at 1280 and 390 px."""

import pytest
from django.utils import timezone

from reports import prepared, prepared_views, workers
from reports.models import PreparedDownload
from tests.e2e.page_fit import PROBLEMS

pytestmark = pytest.mark.e2e


def _fits(page) -> list[str]:
    found = []
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        found += [f"{width} px: {problem}" for problem in page.evaluate(PROBLEMS)]
    page.set_viewport_size({"width": 1280, "height": 900})
    return found


def test_ask_wait_and_find_the_file(
    live_program, browser_page, sign_in, shot, settings, monkeypatch
):
    # The page refreshes itself every 2 s; slower here, so no reload lands mid-check.
    monkeypatch.setattr(prepared_views, "REFRESH_SECONDS", 600)
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    page = sign_in(browser_page, "officer_a")
    page.goto(f"{page.url.split('/?')[0].rstrip('/')}/?fy=2025")
    page.get_by_role("button", name="Auditor workbook, all years").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("download-status").inner_text().startswith("Waiting for a worker")
    assert page.locator('meta[http-equiv="refresh"]').get_attribute("content") == "600"
    shot(page, "queued")
    assert not _fits(page)

    download = PreparedDownload.objects.get()
    prepared.prepare(download.pk)  # what the worker does
    download.refresh_from_db()
    page.reload()
    assert page.get_by_test_id("download-sha256").inner_text() == download.sha256
    assert page.locator('meta[http-equiv="refresh"]').count() == 0
    shot(page, "ready")
    assert not _fits(page)

    page.get_by_role("link", name="All my downloads").click()
    page.wait_for_load_state()
    assert download.sha256 in page.get_by_test_id("my-downloads").inner_text()
    page.set_viewport_size({"width": 390, "height": 900})
    shot(page, "my-downloads-390")
    assert not _fits(page)


def test_take_the_file_being_written_for_someone_else(
    live_program, browser_page, sign_in, shot, settings, monkeypatch
):
    """The auditor's FY2025 workbook is being written when the program manager asks for
    it: their page offers that file, with its data's time, and the button is on screen
    at both widths; taking it shows it being prepared for them with that time."""
    monkeypatch.setattr(prepared_views, "REFRESH_SECONDS", 600)
    program = live_program
    workers.beat("worker-1")
    run = prepared.request_download(
        user=program.auditor,
        kind="workbook",
        selection=prepared.selection_for(user=program.auditor, fiscal_year=2025),
    )
    read_at = timezone.now()
    PreparedDownload.objects.filter(pk=run.pk).update(
        status="running", run=run, worker_id="worker-1", rows_done=4_200, rows_total=10_000,
        data_as_of=read_at,
    )  # fmt: skip
    page = sign_in(browser_page, "pm")
    page.goto(page.url.split("/?")[0].rstrip("/") + "/downloads/?kind=workbook&fy=2025")
    page.get_by_test_id("prepare-offer").get_by_role("button").click()
    page.wait_for_load_state()
    offer = page.get_by_test_id("run-offer")
    assert "and 42% of its rows are written" in offer.inner_text()
    take = page.get_by_role("button", name="Take the file being written now")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        take.scroll_into_view_if_needed()
        assert (
            take.is_visible() and take.bounding_box()["x"] + take.bounding_box()["width"] <= width
        )
        shot(page, f"run-offer-{width}")
    assert not _fits(page)

    take.click()
    page.wait_for_load_state()
    status = page.get_by_test_id("download-status").inner_text()
    assert status.startswith("Being prepared: 4,200 of 10,000 rows written")
    local = timezone.localtime(read_at).strftime("%m/%d/%Y %H:%M:%S")
    assert f"With the data as of {local}." in status
    assert page.get_by_test_id("run-offer").count() == 0
    shot(page, "run-taken")
    assert not _fits(page)


def test_a_file_whose_queue_has_no_worker_says_so(
    live_program, browser_page, sign_in, shot, settings, monkeypatch
):
    """The only live worker takes small files: an auditor's workbook counted as large
    waits, and its page says why and what to do, readable at both widths."""
    monkeypatch.setattr(prepared_views, "REFRESH_SECONDS_LARGE", 600)
    settings.LARGE_FILE_ROWS = 1  # every file counts as large here
    workers.beat("worker-1", queues=["default"])
    page = sign_in(browser_page, "auditor")
    page.goto(page.url.split("/?")[0].rstrip("/") + "/downloads/?kind=workbook&fy=2025")
    page.get_by_test_id("prepare-offer").get_by_role("button").click()
    page.wait_for_load_state()
    assert PreparedDownload.objects.get().queue == prepared.LARGE_QUEUE
    status = page.get_by_test_id("download-status").inner_text()
    assert 'No background worker is taking files as large as this one (the queue "large")' in status
    assert "If this lasts, tell the system administrator." in status
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        shot(page, f"queue-without-worker-{width}")
    assert not _fits(page)
