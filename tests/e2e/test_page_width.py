"""Every page of the permission matrix, for every persona it answers with a 200, fits the
screen: at 1280 px nothing is wider than the window, no table needs its sideways scroll
and no button, field or link of a table's actions lies outside the window; at 390 px
the page does not scroll sideways either, and the actions are on screen.

The records are those of the permission matrix (tests/test_permissions.py), plus what
fills the tables people act from: a drawdown waiting for the approver, a no-cost
extension waiting for the program manager, two scenarios to compare.

One browser and one page for the whole walk; a screenshot of each page at each width is
saved to /tmp/shots/width-<persona>-<page>-<width>.png.
"""

import re

import pytest

from tests.e2e.conftest import SHOTS
from tests.e2e.matrix_pages import open_page, pages_by_persona, sign_in_as, waiting_for_decisions
from tests.reports.report_type_helpers import declare_amendment_reports

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 700, 390)

# Everything wrong with the page in the window as it is: the page wider than the window,
# a table that needs its sideways scroll (a wide comparison, .table-fit--wide, may scroll
# if it holds no actions) and any visible action of a table that lies outside the window
# or outside the box it scrolls in.
PROBLEMS = """() => {
  const width = window.innerWidth;
  const problems = [];
  const page = document.documentElement.scrollWidth;
  if (page > width) problems.push(`the page is ${page} px wide`);
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


def test_every_page_fits_at_1280_and_390_px(live_program, live_server, browser_page, monkeypatch):
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
    assert seen > 100  # every persona's pages, both widths
    assert not problems, "\n".join(problems)
