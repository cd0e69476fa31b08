"""In the browser at 1280 and 390 px: the award page's closeout panel of an award flagged
for unilateral closeout, and a program manager reading a further extension's
justification and approving it from the amendments page.

Screenshots: /tmp/shots/test_closeout_panel_and_a_justified_second_extension-*.png
"""

from datetime import date, timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from grants.amendments import extension_decide, extension_request
from grants.models import Award
from reports.closeout_clock import run_closeout_clock
from tests.budgets.ledger_helpers import activate

pytestmark = pytest.mark.e2e

JUSTIFICATION = "The court set the trial for next spring; the examiner is needed until then."


def _inside(page, locator, width: int) -> bool:
    locator.scroll_into_view_if_needed()
    box = locator.bounding_box()
    return box["x"] >= 0 and box["x"] + box["width"] <= width


def test_closeout_panel_and_a_justified_second_extension(
    live_program, live_server, browser_page, sign_in, shot
):
    program = live_program
    activate(program)
    run_closeout_clock(today=date(2026, 10, 1))
    run_closeout_clock(today=date(2027, 1, 29))
    # Award B, active, ends in 100 days and was extended once already.
    today = timezone.localdate()
    Award.objects.filter(pk=program.award_b.pk).update(
        status=Award.Status.ACTIVE, period_end=today + timedelta(days=100)
    )
    first = extension_request(
        actor=program.officer_b,
        award=program.award_b,
        new_end=today + timedelta(days=200),
        reason="Trial moved",
    )
    extension_decide(actor=program.pm, amendment=first, approve=True)
    second = extension_request(
        actor=program.officer_b,
        award=program.award_b,
        new_end=today + timedelta(days=300),
        reason="Trial moved again",
        justification=JUSTIFICATION,
    )

    page = sign_in(browser_page, "pm")
    for width in (1280, 390):
        page.set_viewport_size({"width": width, "height": 900})
        page.goto(f"{live_server.url}/awards/{program.award_a.award_number}/")
        flag = page.get_by_test_id("unilateral-closeout")
        expect(flag).to_contain_text("Flagged for unilateral closeout on 01/29/2027")
        expect(flag).to_contain_text("Final progress report accepted: not yet (Not filed)")
        assert _inside(page, flag, width)
        retained = page.get_by_test_id("records-retained-until")
        expect(retained).to_contain_text("3 years from the final SF-425's submission")
        assert _inside(page, retained, width)
        shot(page, f"award-{width}")

        page.goto(f"{live_server.url}/amendments/")
        why = page.get_by_test_id("extension-justification")
        expect(why).to_contain_text(JUSTIFICATION)
        assert why.bounding_box()["width"] <= 28 * 16 + 1  # wraps instead of running on
        shot(page, f"amendments-{width}")

    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Extension approved: award")).to_be_visible()
    second.refresh_from_db()
    assert second.status == "approved"
    assert Award.objects.get(pk=program.award_b.pk).period_end == today + timedelta(days=300)
