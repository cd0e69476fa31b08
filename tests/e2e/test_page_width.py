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
import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from budgets import ledger
from grants.models import Amendment, Award
from grants.services import award_transition
from tests import factories
from tests.allocations.helpers import make_run, program_run
from tests.e2e.conftest import SHOTS
from tests.reports.report_type_helpers import declare_amendment_reports
from tests.test_permissions import MATRIX, PERSONAS, SHARED_REPORT_PAGES, url_with_its_record

pytestmark = pytest.mark.e2e

WIDTHS = (1280, 390)

# What is downloaded rather than shown (files, the calendar feed) has no width; other
# downloads are recognised when the browser starts saving them.
NOT_PAGES = ("reports:report_pdf", "reports:calendar_feed", "logout")

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


def _pages_by_persona(program, run) -> dict[str, list[tuple[str, str]]]:
    """(name, URL) of each page of the matrix that answers the persona with a 200."""
    names = sorted(
        name
        for (name, method), statuses in MATRIX.items()
        if method == "GET"
        and 200 in statuses.values()
        and not name.startswith("exports:")
        and name not in NOT_PAGES
    )
    urls = {}
    for name in names:
        if name in SHARED_REPORT_PAGES:
            continue  # after the budget change below, whose amendment its report is of
        if name == "allocations:run_detail":
            urls[name] = reverse(name, args=[run.pk])
        else:
            urls[name] = url_with_its_record(name, program)
    for name in SHARED_REPORT_PAGES:
        if name in urls or name not in names:
            continue
        # The budget change's amendment (requested 01/06/2025) is what this report is of.
        urls[name] = reverse(name, args=[program.award_a.award_number, "amendment", "2025-01-06"])
    return {
        persona: [
            (name, urls[name])
            for name in names
            if MATRIX[(name, "GET")][persona] == 200
            # The sign-in page once, as nobody.
            and (name != "login" or persona == "anonymous")
        ]
        for persona in PERSONAS
    }


def _waiting_for_decisions(program):
    """Task force A's second award, active, with a drawdown waiting for the approver and
    a no-cost extension waiting for the program manager; two scenarios to compare (the
    first is returned)."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="100000.00",
        number="15PJDP-25-GK-00003-MECP",
    )
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.OFFERED)
    award = award_transition(
        actor=program.gadmin_a,
        award=award,
        to_status=Award.Status.ACCEPTED,
        terms_accepted=True,
        typed_name="Gail Admin",
    )
    award = award_transition(actor=program.pm, award=award, to_status=Award.Status.ACTIVE)
    Award.objects.filter(pk=award.pk).update(drawdowns_need_approval=True)
    award.refresh_from_db()
    ledger.drawdown_request(
        actor=program.officer_a,
        award=award,
        amount=Decimal("2500.00"),
        idempotency_key=uuid.uuid4(),
    )
    Amendment.objects.create(
        award=award,
        number=1,
        kind="no_cost_extension",
        description="The forensic lab's backlog delayed two trials into the spring",
        requested_on=date(2025, 1, 6),
        requested_by=program.gadmin_a,
        period_end_before=award.period_end,
        period_end_after=date(2027, 3, 31),
    )
    run = program_run(program)
    make_run(program.pm, program.appropriation, name="All formula", formula_pct=Decimal("100"))
    return run


def _sign_in(page, base: str, persona: str, program):
    page.context.clear_cookies()
    if persona == "anonymous":
        return
    page.goto(f"{base}/accounts/login/")
    page.get_by_label("Username").fill(getattr(program, persona).username)
    page.get_by_label("Password").fill(factories.PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_load_state()
    assert "/accounts/login/" not in page.url, f"{persona} could not sign in"


def test_every_page_fits_at_1280_and_390_px(live_program, live_server, browser_page, monkeypatch):
    program = live_program
    declare_amendment_reports(monkeypatch)
    pages = _pages_by_persona(program, _waiting_for_decisions(program))
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser_page
    problems, seen = [], 0
    for persona, named_urls in pages.items():
        _sign_in(page, live_server.url, persona, program)
        for name, url in named_urls:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            try:
                response = page.goto(f"{live_server.url}{url}")
            except PlaywrightError as error:
                if "Download is starting" in str(error):
                    continue  # a file (a template, a workbook), not a page
                raise
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
