"""Attaching a document through the browser, at 1280 and 390 px: task force A's finance
officer opens the award's documents, is told why a PNG named .pdf is refused, then
attaches a PDF that the list and the award's page show, with its SHA-256.

Screenshots: /tmp/shots/test_attach_a_document_at_both_widths-NN-<step>.png."""

import hashlib
import re

import pytest
from playwright.sync_api import expect

from documents.models import Attachment
from tests.documents import files

pytestmark = pytest.mark.e2e

FITS = "() => document.documentElement.scrollWidth <= window.innerWidth"


def test_attach_a_document_at_both_widths(
    live_program, live_server, browser_page, sign_in, shot, tmp_path
):
    # USWDS names its file input by what it holds ("No file selected..."), so it is found by id.
    page, award = browser_page, live_program.award_a
    wrong = tmp_path / "invoice.pdf"
    wrong.write_bytes(files.PNG)
    right = tmp_path / "Receipts March.pdf"
    right.write_bytes(files.PDF)

    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/awards/{award.award_number}/")
    panel = page.get_by_test_id("documents-panel")
    expect(panel).to_contain_text("No documents attached.")
    panel.get_by_role("link", name="Attach a document").click()
    expect(page).to_have_url(re.compile(rf"/documents/award/{award.pk}/$"))
    expect(page.get_by_role("heading", level=1)).to_have_text(
        f"Documents: Award {award.award_number}"
    )
    shot(page, "form-1280")
    assert page.evaluate(FITS)

    page.locator("#id_file").set_input_files(str(wrong))
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text(
        "The file is named .pdf but is a PNG image, not a PDF document."
    )
    shot(page, "refused-1280")
    assert not Attachment.objects.exists()

    page.set_viewport_size({"width": 390, "height": 844})
    assert page.evaluate(FITS), "the form scrolls sideways at 390 px"
    shot(page, "refused-390")
    page.locator("#id_file").set_input_files(str(right))
    page.get_by_role("button", name="Attach").click()
    expect(page.get_by_role("status")).to_contain_text("Attached Receipts March.pdf.")
    table = page.get_by_test_id("attachments")
    expect(table).to_contain_text("Receipts March.pdf")
    expect(table).to_contain_text(hashlib.sha256(files.PDF).hexdigest()[:12])
    assert page.evaluate(FITS), "the list scrolls sideways at 390 px"
    shot(page, "attached-390")

    # The award's page lists it in its Documents section.
    page.goto(f"{live_server.url}/awards/{award.award_number}/")
    expect(page.get_by_test_id("documents-panel")).to_contain_text("Receipts March.pdf")
    assert page.evaluate(FITS), "the award page scrolls sideways at 390 px"
    shot(page, "award-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    shot(page, "award-1280")
    assert Attachment.objects.get().sha256 == hashlib.sha256(files.PDF).hexdigest()
