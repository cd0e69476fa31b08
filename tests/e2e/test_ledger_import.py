"""A finance officer imports a file of ledger entries in the browser: the upload, the dry
run with its button on screen at 1280 px without sideways scrolling, the posting; the
same pages at 390 px.

Screenshots: /tmp/shots/test_the_officer_imports_a_file_at_desktop_and_phone_widths-*.png
"""

from pathlib import Path

import pytest
from playwright.sync_api import expect

from budgets.models import LedgerEntry
from tests.budgets.ledger_helpers import activate, draw

pytestmark = pytest.mark.e2e
FILES = Path(__file__).parent.parent / "budgets" / "import_files"


def _no_sideways_scroll(page) -> bool:
    return page.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
    )


def test_the_officer_imports_a_file_at_desktop_and_phone_widths(
    live_program, live_server, browser_page, sign_in, shot
):
    program = live_program
    activate(program)
    program.award_a.refresh_from_db()
    draw(program, "10000.00")
    number = program.award_a.award_number

    page = sign_in(browser_page, "officer_a")
    page.goto(f"{live_server.url}/awards/{number}/ledger/")
    page.get_by_test_id("ledger-import").click()
    shot(page, "upload-1280")
    page.get_by_label("Ledger file").set_input_files(str(FILES / "bad_cells.csv"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-errors")).to_contain_text(
        "Row 5, column D (Amount): 10.005 has more than 2 decimal places."
    )
    shot(page, "refused-1280")

    page.get_by_label("Ledger file").set_input_files(str(FILES / "good.xlsx"))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("dry-run-summary")).to_contain_text("5 entries would post")
    shot(page, "dry-run-1280")
    button = page.get_by_test_id("post-entries")
    expect(button).to_have_text("Post these 5 entries")
    box = button.bounding_box()
    assert box["x"] + box["width"] <= 1280
    assert _no_sideways_scroll(page)
    review = page.url

    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    shot(page, "dry-run-390")
    expect(page.get_by_test_id("post-entries")).to_be_visible()
    assert _no_sideways_scroll(page)  # the wide entry table scrolls in its own box
    page.goto(f"{live_server.url}/awards/{number}/ledger/import/")
    shot(page, "upload-390")
    assert _no_sideways_scroll(page)

    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(review)
    page.get_by_test_id("post-entries").click()
    expect(page.locator(".usa-alert--success")).to_contain_text("Posted 5 entries from good.xlsx.")
    shot(page, "posted-1280")
    assert LedgerEntry.objects.filter(award=program.award_a).exclude(reference="").count() == 5
