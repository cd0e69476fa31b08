"""An SF-425 filed by keyboard alone: task force A's finance officer skips to the
content, moves between the fields with Tab and Shift+Tab, types, ticks the certification
with Space and submits with Enter. No click, no fill(): only the keys a person without
a mouse has. The report filed is the one the ledger computes for the quarter ending
12/31/2024 of the worked example (docs/rules/worked-examples.md#sf-425-for-a-quarter).

Screenshots: /tmp/shots/test_an_sf425_filed_by_keyboard_alone-NN-<step>.png.
"""

from decimal import Decimal

import pytest
from playwright.sync_api import expect

from reports.models import FinancialReport
from reports.sf425 import certified_amounts
from tests.reports.conftest import example  # noqa: F401 (the worked example's award)

pytestmark = pytest.mark.e2e

FOCUSED = """() => {
  const e = document.activeElement;
  return e ? (e.id || e.getAttribute('href') || e.textContent.trim()) : '';
}"""


def tab_to(page, target: str, *, key: str = "Tab", limit: int = 60) -> None:
    """Press `key` (Tab or Shift+Tab) until the element `target` (its id, link or text)
    has the focus; fail if it is not reached within `limit` presses."""
    for _ in range(limit):
        page.keyboard.press(key)
        if page.evaluate(FOCUSED) == target:
            return
    raise AssertionError(
        f"{key} never reached {target!r}; the focus is on {page.evaluate(FOCUSED)!r}"
    )


@pytest.fixture
def program(committed_program):
    """Committed, for the live server: the worked example is made on it."""
    return committed_program


@pytest.fixture
def live_example(live_program, example):  # noqa: F811
    return example


def test_an_sf425_filed_by_keyboard_alone(live_example, live_server, browser_page, sign_in, shot):
    page, award = browser_page, live_example.example
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}/awards/{award.award_number}/sf425/2024-12-31/")

    page.keyboard.press("Tab")
    assert page.evaluate(FOCUSED) == "#main-content"  # the skip link comes first
    page.keyboard.press("Enter")
    tab_to(page, "id_remarks")
    page.keyboard.type("Cash drawn 12/15 for the December payroll.")
    for field, value in (
        ("id_certifier_name", "Lena Alvarez"),
        ("id_certifier_title", "Finance officer"),
        ("id_certifier_phone", "555-0100"),
        ("id_certifier_email", "lena@example.gov"),
    ):
        tab_to(page, field, limit=1)
        page.keyboard.type(value)
    tab_to(page, "id_certify", limit=1)
    page.keyboard.press("Space")
    expect(page.locator("#id_certify")).to_be_checked()
    tab_to(page, "Submit SF-425", limit=3)
    # Back to the box to look once more, as a person checks before submitting.
    tab_to(page, "id_certify", key="Shift+Tab", limit=3)
    shot(page, "before-submit")
    tab_to(page, "Submit SF-425", limit=3)
    page.keyboard.press("Enter")
    page.wait_for_load_state()

    expect(page.get_by_role("status")).to_contain_text("Submitted the SF-425")
    shot(page, "submitted")
    report = FinancialReport.objects.get(award=award)
    assert report.status == "submitted"
    assert report.submitted_by == live_example.officer_a
    assert (report.certifier_name, report.certifier_email) == ("Lena Alvarez", "lena@example.gov")
    assert report.remarks == "Cash drawn 12/15 for the December payroll."
    # As of 12/31/2024: $120,000.00 drawn on 12/15, $118,500.00 paid out on 12/20.
    lines = certified_amounts(report.lines)
    assert (lines["10a"], lines["10b"], lines["10c"], lines["10d"]) == (
        Decimal("120000.00"),
        Decimal("118500.00"),
        Decimal("1500.00"),
        Decimal("500000.00"),
    )
    lines_table = page.get_by_test_id("sf425-lines")
    for amount in ("$120,000.00", "$118,500.00", "$1,500.00", "$500,000.00"):
        expect(lines_table).to_contain_text(amount)
