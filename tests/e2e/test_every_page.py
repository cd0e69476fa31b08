"""Every page of the permission matrix, for every persona it answers with a 200:

- has no violation of axe-core's WCAG 2.1 A and AA rules (tags wcag2a, wcag2aa, wcag21a,
  wcag21aa): contrast, names of fields and buttons, landmarks, unique ids, table headers;
- fits the screen at 1280, 700 and 390 px (tests/e2e/page_fit.py): at 1280 px nothing is
  wider than the window, no table needs its sideways scroll and no action of a table lies
  outside the window; at 700 px (a tablet) the page does not scroll sideways, a table
  scrolling in its own box if it must; at 390 px the page does not scroll sideways
  either, and the actions are on screen.

The records are those of the permission matrix (tests/test_permissions.py), plus what
fills the tables people act from (tests/e2e/matrix_pages.py): a drawdown waiting for the
approver, a no-cost extension waiting for the program manager, two scenarios to compare.

One walk per persona (the walks share out among the suite's processes), one browser and
one page: each page is loaded once at 1280 px, checked by axe, then looked at in each
width. The axe results of each page are saved to
tests/e2e/axe-results/<test>.json; with E2E_SHOTS=1 in the environment, a screenshot of
each page at each width to /tmp/shots/width-<persona>-<page>-<width>.png (a third of the
walk's time, so not by default).

The axe mark lets axe's script past the app's CSP (tests/e2e/conftest.py); the app's
pages hold no inline script or style for the CSP to refuse, so they are laid out as
people's browsers lay them out.
"""

import os
import re

import pytest

from tests.e2e.conftest import SHOTS
from tests.e2e.matrix_pages import (
    PERSONAS,
    open_page,
    pages_by_persona,
    sign_in_as,
    waiting_for_decisions,
    walked_on_sqlite_only,
)
from tests.e2e.page_fit import PROBLEMS, WIDTHS
from tests.reports.report_type_helpers import declare_amendment_reports

pytestmark = [pytest.mark.e2e, pytest.mark.axe]

SCREENSHOTS = os.environ.get("E2E_SHOTS") == "1"

# The fewest pages each persona's walk must see (it sees more): a walk that sees fewer
# lost its pages (its records, its sign-in) rather than found no fault.
AT_LEAST = {
    "anonymous": 5,
    "officer_a": 50,
    "officer_b": 20,
    "pm": 60,
    "approver": 50,
    "auditor": 50,
}


@walked_on_sqlite_only
@pytest.mark.slow
@pytest.mark.parametrize("persona", PERSONAS)
def test_every_page_has_no_wcag_21_aa_violation_and_fits_at_1280_700_and_390_px(
    live_program, live_server, browser_page, axe, monkeypatch, persona
):
    program = live_program
    declare_amendment_reports(monkeypatch)
    named_urls = pages_by_persona(program, waiting_for_decisions(program))[persona]
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    violations, misfits = [], []
    pages_seen = 0
    sign_in_as(page, live_server.url, persona, program)
    for name, url in named_urls:
        page.set_viewport_size({"width": WIDTHS[0], "height": 900})
        response = open_page(page, f"{live_server.url}{url}")
        if response is None:
            continue
        assert response.status == 200, f"{persona} {url}: {response.status}"
        pages_seen += 1
        violations += [f"{persona} {url}: {line}" for line in axe(page, f"{persona} {name}")]
        # Each page is loaded once and looked at in each width: the layout is CSS
        # alone (no script measures the window), so a resize is a reload's equal.
        for width in WIDTHS:
            page.set_viewport_size({"width": width, "height": 900})
            if SCREENSHOTS:
                slug = re.sub(r"[^A-Za-z0-9_.-]+", "_", f"{persona}-{name}-{width}")
                page.screenshot(path=str(SHOTS / f"width-{slug}.png"), full_page=True)
            found = page.evaluate(PROBLEMS)
            if found:
                more = f" (and {len(found) - 3} more)" if len(found) > 3 else ""
                misfits.append(f"{persona} {url} at {width} px: {'; '.join(found[:3])}{more}")
    assert pages_seen >= AT_LEAST[persona], f"{persona} saw {pages_seen} pages"
    report = []
    if violations:
        report += [f"{len(violations)} violations:", *violations]
    if misfits:
        report += [f"{len(misfits)} pages do not fit:", *misfits]
    assert not report, "\n".join(report)
