"""Every page of the permission matrix, for every persona it answers with a 200, fits the
screen: at 1280 px nothing is wider than the window, no table needs its sideways scroll
and no button, field or link of a table's actions lies outside the window; at 700 px (a
tablet) the page does not scroll sideways, a table scrolling in its own box if it must;
at 390 px the page does not scroll sideways either, and the actions are on screen.

The records are those of the permission matrix (tests/test_permissions.py), plus what
fills the tables people act from: a drawdown waiting for the approver, a no-cost
extension waiting for the program manager, two scenarios to compare.

One browser and one page for the whole walk; a screenshot of each page at each width is
saved to /tmp/shots/width-<persona>-<page>-<width>.png.
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
from tests.e2e.conftest import SHOTS, password_sign_in
from tests.e2e.matrix_pages import (
    open_page,
    pages_by_persona,
    sign_in_as,
    waiting_for_decisions,
    walked_on_sqlite_only,
)
from tests.reports.report_type_helpers import declare_amendment_reports

pytestmark = pytest.mark.e2e

# A laptop, a tablet held upright (600–768 px: tables scroll in their box or stack, never
# the page) and a phone.
WIDTHS = (1280, 700, 390)

# Everything wrong with the page in the window as it is: the page wider than the window,
# a table that needs its sideways scroll (a wide comparison, .table-fit--wide, may scroll
# if it holds no actions) and any visible action of a table that lies outside the window
# or outside the box it scrolls in. On a tablet (600–768 px) only the page's width counts:
# a table may scroll in its own box there.
PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page} px wide`);
  // On a tablet a table may scroll in its box (or stack); only the page must not.
  if (width >= 600 && width <= 768) return problems;
  for (const box of document.querySelectorAll('main .table-fit')) {
    const wide = box.classList.contains('table-fit--wide');
    if (!wide && box.scrollWidth > box.clientWidth + 1)
      problems.push(`a table is ${box.scrollWidth} px wide in a ${box.clientWidth} px box`);
    if (wide && box.querySelector('button, input, select, form'))
      problems.push('a sideways-scrolling table holds actions');
  }
  const actions = 'main table button, main table input:not([type=hidden]), ' +
    'main table select, main table a.usa-button';
  for (const element of document.querySelectorAll(actions)) {
    if (element.offsetParent === null) continue;  // hidden with its column
    const r = element.getBoundingClientRect();
    let left = 0, right = width;
    for (let p = element.parentElement; p && p !== document.body; p = p.parentElement) {
      if (getComputedStyle(p).overflowX !== 'visible') {
        const box = p.getBoundingClientRect();
        left = Math.max(left, box.left);
        right = Math.min(right, box.right);
      }
    }
    if (r.left < left - 1 || r.right > right + 1) {
      const name = (element.textContent || element.placeholder || element.name).trim();
      problems.push(`"${name}" is at ${Math.round(r.left)}–${Math.round(r.right)} px`);
    }
  }
  return problems;
}"""


@walked_on_sqlite_only
def test_every_page_fits_at_1280_700_and_390_px(
    live_program, live_server, browser_page, monkeypatch
):
    program = live_program
    declare_amendment_reports(monkeypatch)
    pages = pages_by_persona(program, waiting_for_decisions(program))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    problems, seen = [], 0
    for persona, named_urls in pages.items():
        sign_in_as(page, live_server.url, persona, program)
        for name, url in named_urls:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            response = open_page(page, f"{live_server.url}{url}")
            if response is None:
                continue
            assert response.status == 200, f"{persona} {url}: {response.status}"
            # Each page is loaded once and looked at in each width: the layout is CSS
            # alone (no script measures the window), so a resize is a reload's equal.
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                seen += 1
                slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{persona}-{name}-{width}")
                page.screenshot(path=str(SHOTS / f"width-{slug}.png"), full_page=True)
                found = page.evaluate(PROBLEMS)
                if found:
                    more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
                    problems.append(f"{persona} {url} at {width} px: {'; '.join(found[:3])}{more}")
    assert seen > 300  # every persona's pages, each width
    assert not problems, "\n".join(problems)


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
