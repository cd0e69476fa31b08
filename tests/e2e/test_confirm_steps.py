"""Lifecycle steps in the browser: the grant administrator accepts an offered award by
ticking the acknowledgement and typing their name; the program manager sees closeout as
an outline button mid-period and a warning before confirming it. Screenshots at 1280 and
390 px go to /tmp/shots/confirm-<page>-<width>.png."""

from datetime import timedelta

import pytest
from django.utils import timezone

from grants.amendments import add_months
from grants.models import Award
from grants.services import award_transition
from tests.budgets.ledger_helpers import activate
from tests.e2e.conftest import SHOTS

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)


def _shots(page, name):
    SHOTS.mkdir(parents=True, exist_ok=True)
    for width in WIDTHS:
        page.set_viewport_size({"width": width, "height": 900})
        page.screenshot(path=str(SHOTS / f"confirm-{name}-{width}.png"), full_page=True)
        wide = page.evaluate("() => document.documentElement.scrollWidth")
        assert wide <= width, f"{name} is {wide} px wide at {width} px"
    page.set_viewport_size({"width": 1280, "height": 900})


def test_the_grant_administrator_accepts_with_the_acknowledgement(
    browser_page, live_program, sign_in
):
    program = live_program
    award = award_transition(actor=program.pm, award=program.award_a, to_status="offered")
    page = sign_in(browser_page, "gadmin_a")
    page.goto(page.url.rstrip("/") + award.get_absolute_url())
    page.get_by_role("link", name="Mark accepted").click()
    page.wait_for_load_state()
    _shots(page, "accept")
    page.get_by_role("button", name=f"Confirm: Accept award {award}").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("error-summary").is_visible()
    _shots(page, "accept-errors")
    award.refresh_from_db()
    assert award.status == "offered"

    page.locator("label.usa-checkbox__label").click()  # USWDS draws the box on the label
    page.get_by_label("Your full name").fill("Gail Q. Admin")
    page.get_by_role("button", name=f"Confirm: Accept award {award}").click()
    page.wait_for_load_state()
    assert "(Gail Q. Admin) on " in page.get_by_test_id("acceptance").inner_text()
    _shots(page, "accepted-award")
    award.refresh_from_db()
    assert award.status == "accepted" and award.acceptance_typed_name == "Gail Q. Admin"


def test_closeout_mid_period_is_an_outline_button_with_a_warning(
    browser_page, live_program, sign_in
):
    program = live_program
    award = activate(program)
    Award.objects.filter(pk=award.pk).update(
        period_end=add_months(timezone.localdate(), 10) + timedelta(days=1)
    )
    page = sign_in(browser_page, "pm")
    page.goto(page.url.rstrip("/") + award.get_absolute_url())
    step = page.get_by_test_id("step-in_closeout")
    assert "usa-button--outline" in step.get_attribute("class")
    _shots(page, "active-award")
    step.click()
    page.wait_for_load_state()
    assert "10 months of the period remain" in page.get_by_test_id("step-warning").inner_text()
    _shots(page, "closeout")
    award.refresh_from_db()
    assert award.status == "active"
