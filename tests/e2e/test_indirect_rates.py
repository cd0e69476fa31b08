"""A program manager records a recipient's indirect cost rate from a phone-width screen,
starting where a person would look: the task force's page. The page fits 390 px and
1280 px without scrolling sideways.

Screenshots: /tmp/shots/test_indirect_rates_*.png."""

import re

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.e2e


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width}px wide at {width}px"


def test_record_a_rate_at_390_px_and_read_it_at_1280(
    browser_page, live_program, live_server, sign_in, shot
):
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "pm")
    page.goto(f"{live_server.url}{live_program.task_force_a.get_absolute_url()}")
    page.get_by_role("link", name="Indirect cost rates").click()
    expect(page.get_by_role("heading", name="Indirect cost rates", level=1)).to_be_visible()
    expect(page.get_by_test_id("rate-agreements")).to_contain_text("No rate agreement recorded")
    fits(page, 390)
    shot(page, "empty-390")

    page.get_by_label("Type of rate").select_option("provisional")
    page.get_by_label("Rate (percent)").fill("26.5")
    page.get_by_label("In force from").fill("2025-07-01")
    page.get_by_label("Cognizant agency").fill("U.S. Department of Justice")
    page.get_by_label("Date signed").fill("2025-06-12")
    page.get_by_role("button", name="Record rate agreement").click()
    expect(page.get_by_role("status")).to_contain_text("Rate agreement recorded.")
    row = page.get_by_test_id("rate-agreements").get_by_role("row").filter(has_text="Provisional")
    expect(row).to_contain_text("26.5%")
    expect(row).to_contain_text("until further notice")
    fits(page, 390)
    shot(page, "recorded-390")

    # An overlapping de minimis rate is refused on the form, next to the field.
    page.get_by_label("Type of rate").select_option("de_minimis")
    page.get_by_label("In force from").fill("2026-01-01")
    page.get_by_role("button", name="Record rate agreement").click()
    expect(page.locator(".usa-error-message")).to_contain_text(
        re.compile(r"overlap the provisional rate of 26.5% from 07/01/2025")
    )
    shot(page, "overlap-390")

    page.set_viewport_size({"width": 1280, "height": 900})
    fits(page, 1280)
    shot(page, "recorded-1280")
