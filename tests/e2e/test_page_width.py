"""Pages fit the screen: at 1280 px nothing is wider than the window, no table needs its
sideways scroll and no button, field or link of a table's actions lies outside the window;
at 700 px (a tablet) the page does not scroll sideways, a table scrolling in its own box if
it must; at 390 px the page does not scroll sideways either, and the actions are on screen
(tests/e2e/page_fit.py).

Every page of the permission matrix is looked at in each width by the walk over every
page (tests/e2e/test_every_page.py), which also runs the accessibility check on it; here
are the states a walk does not reach: the hand-written tables stacked on a phone and the
menu before the second factor.
"""

import re
from datetime import date

import pytest
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from playwright.sync_api import expect

from reports.models import MEASURES, ProgressReport
from tests import factories
from tests.e2e.conftest import password_sign_in
from tests.e2e.matrix_pages import open_page, sign_in_as
from tests.e2e.page_fit import PROBLEMS

pytestmark = pytest.mark.e2e

# Each hand-written table of the page, stacked: its cells one under the other, each with
# its heading (data-label) before its value.
STACKED = """() => [...document.querySelectorAll('main table')].map(table => {
  const cells = [...table.querySelectorAll('tbody td')];
  return {
    testid: table.dataset.testid || table.closest('[data-testid]')?.dataset.testid || '',
    stacked: cells.length > 0 && cells.every(td => getComputedStyle(td).display === 'block'),
    labels: cells.filter(td => td.dataset.label)
      .every(td => getComputedStyle(td, '::before').content.includes(td.dataset.label)),
  };
})"""


def test_the_hand_written_tables_stack_at_390_px_and_fit_at_700(
    live_program, live_server, browser_page, shot
):
    """The SF-425, a filed progress report, an appropriation and an award's terms, as the
    program manager reads them."""
    program, page = live_program, browser_page
    award = program.award_a.award_number
    ProgressReport.objects.create(
        award=program.award_a,
        period_end=date(2024, 12, 31),
        status="submitted",
        submitted_by=program.officer_a,
        submitted_at=timezone.now(),
        accomplishments="Forty investigations opened.",
        **{field: 3 for field, _ in MEASURES},
    )
    sign_in_as(page, live_server.url, "pm", program)
    for name, url in (
        ("sf425", reverse("reports:sf425_detail", args=[award, "2024-12-31"])),
        ("progress", reverse("reports:progress_detail", args=[award, "2024-12-31"])),
        ("appropriation", reverse("grants:appropriation_detail", args=[program.appropriation.pk])),
        ("terms", reverse("modifications:terms", args=[award])),
    ):
        open_page(page, f"{live_server.url}{url}")
        page.set_viewport_size({"width": 390, "height": 844})
        shot(page, f"{name}-390")
        tables = page.evaluate(STACKED)
        assert tables, f"{name}: no table"
        for table in tables:
            assert table["stacked"] and table["labels"], f"{name} at 390 px: {table}"
        assert page.evaluate(PROBLEMS) == [], name
        page.set_viewport_size({"width": 700, "height": 900})
        shot(page, f"{name}-700")
        assert page.evaluate(PROBLEMS) == [], name
        page.set_viewport_size({"width": 1280, "height": 900})


@pytest.mark.parametrize("width", [390, 700])
def test_the_menu_opens_to_sign_out_before_the_second_factor(
    live_program, live_server, browser_page, shot, width
):
    """During enrolment (no factor yet) and verification (a factor to give), the Menu
    button opens a menu holding what the person may do then: sign out."""
    program, page = live_program, browser_page
    TOTPDevice.objects.create(user=program.officer_a, name="Phone", confirmed=True)
    page.set_viewport_size({"width": width, "height": 844})
    for username, where in (
        ("approver", "/accounts/mfa/enrol/"),
        ("officer_a", "/accounts/mfa/verify/"),
    ):
        password_sign_in(page, live_server.url, username, factories.PASSWORD)
        assert where in page.url
        nav = page.get_by_role("navigation", name="Primary navigation")
        expect(nav).to_be_hidden()
        page.get_by_role("button", name="Menu").click()
        expect(nav).to_be_visible()
        shot(page, f"{username}-menu")
        assert page.evaluate(PROBLEMS) == []
        nav.get_by_role("button", name="Sign out").click()
        expect(page).to_have_url(re.compile(r"/accounts/login/$"))
