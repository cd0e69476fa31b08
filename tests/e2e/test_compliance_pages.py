"""A finance officer records a subaward and an item of equipment from a phone-width
screen, sees a refusal in the error summary, and reads the single-audit pages at 1280
px: every page fits 390 px and 1280 px without scrolling sideways.

Screenshots: /tmp/shots/test_compliance_*.png."""

from datetime import date

import pytest
from playwright.sync_api import expect

from compliance import services
from tests.compliance.helpers import active_award, spend

pytestmark = pytest.mark.e2e


def fits(page, width: int) -> None:
    scroll_width = page.evaluate("document.documentElement.scrollWidth")
    assert scroll_width <= width, f"{scroll_width}px wide at {width}px"


def test_compliance_pages_at_390_and_1280_px(
    browser_page, live_program, live_server, sign_in, shot
):
    program = live_program
    award = active_award(program)
    services.subrecipient_create(
        actor=program.officer_a,
        task_force=program.task_force_a,
        legal_name="Town of Alpha Police",
        uei="M7HJK2LQ9P1A",
    )
    entry = spend(program, award, "12000.00", category="D", day=date(2025, 1, 15))
    page = browser_page
    page.set_viewport_size({"width": 390, "height": 844})
    sign_in(page, "officer_a")
    base = live_server.url
    page.goto(f"{base}/awards/{award.award_number}/subawards/")
    page.get_by_label("Subrecipient").select_option(label="Town of Alpha Police (UEI M7HJK2LQ9P1A)")
    page.get_by_label("Agreement number").fill("SA-1")
    page.get_by_label("Amount").fill("$60,000.00")
    page.get_by_label("Date signed").fill("2025-03-14")
    page.get_by_label("Purpose").fill("Affiliate investigations")
    page.get_by_role("button", name="Record subaward").click()
    expect(page.get_by_test_id("error-summary")).to_contain_text(
        "$60,000.00 is $10,000.00 more than the award has left for subawards"
    )
    fits(page, 390)
    shot(page, "subaward-refused-390")
    page.get_by_label("Amount").fill("$45,000.00")
    page.get_by_role("button", name="Record subaward").click()
    expect(page.get_by_test_id("subawards")).to_contain_text("SA-1")
    fits(page, 390)
    shot(page, "subawards-390")

    page.goto(f"{base}/awards/{award.award_number}/equipment/")
    page.get_by_label("Paid by").select_option(str(entry.pk))
    page.get_by_label("Description").fill("Forensic workstation")
    page.get_by_label("Property tag or serial number").fill("T-1")
    page.get_by_label("Cost per unit").fill("12000.00")
    page.get_by_label("Date bought").fill("2025-01-15")
    page.get_by_label("Location").fill("Lab")
    page.get_by_role("button", name="Record equipment").click()
    expect(page.get_by_test_id("equipment")).to_contain_text("Forensic workstation")
    fits(page, 390)
    shot(page, "equipment-390")

    recipient = award.recipient
    for path, name in (
        ("/compliance/", "index"),
        (f"/compliance/recipients/{recipient.pk}/", "recipient"),
        (f"/compliance/recipients/{recipient.pk}/audits/2025-06-30/", "audit"),
        (f"/compliance/recipients/{recipient.pk}/sefa/2025-06-30/", "sefa"),
        (f"/awards/{award.award_number}/subawards/", "subawards"),
    ):
        for width in (390, 1280):
            page.set_viewport_size({"width": width, "height": 900})
            page.goto(f"{base}{path}")
            fits(page, width)
            shot(page, f"{name}-{width}")
    expect(page.get_by_test_id("room")).to_contain_text("$5,000.00")
