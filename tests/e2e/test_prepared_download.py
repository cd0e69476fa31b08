"""A finance officer asks for the program's auditor workbook, watches it being prepared
and finds it in My downloads with its SHA-256; the pages fit at 1280 and 390 px."""

import pytest

from reports import prepared, prepared_views
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
