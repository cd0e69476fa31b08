"""The charts pages in the browser: at 1280 px and at 390 px nothing is wider than the
window, each chart is drawn inside it at a readable size, and its table is there.

Screenshots: /tmp/shots/test_charts_fit_the_screen-*.png.
"""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from playwright.sync_api import expect

from budgets import ledger
from reports.models import MEASURES, ProgressReport
from tests import factories
from tests.budgets.ledger_helpers import activate, post, second_approver
from tests.e2e.page_fit import PROBLEMS

pytestmark = pytest.mark.e2e

D = Decimal

# Every chart's drawing inside the window, and its smallest text no smaller than 8 px.
CHART_PROBLEMS = """() => {
  const problems = [];
  for (const svg of document.querySelectorAll('main svg.chart')) {
    const r = svg.getBoundingClientRect();
    if (r.left < -1 || r.right > window.innerWidth + 1)
      problems.push(`${svg.id} is at ${Math.round(r.left)}–${Math.round(r.right)} px`);
    if (r.height < 100) problems.push(`${svg.id} is ${Math.round(r.height)} px high`);
    for (const text of svg.querySelectorAll('text')) {
      const h = text.getBoundingClientRect().height;
      if (h && h < 8) { problems.push(`${svg.id}: text "${text.textContent}" is ${h} px`); break; }
      const t = text.getBoundingClientRect();
      if (t.left < r.left - 1 || t.right > r.right + 1)
        problems.push(`${svg.id}: "${text.textContent}" runs out of the chart`);
    }
  }
  return problems;
}"""


def _with_money_and_measures(program):
    """Task force A's award active, spending in four months, one drawdown, two fiscal
    years of appropriations, and four periods of progress reports."""
    award = activate(program)
    request = ledger.drawdown_request(
        actor=program.officer_a,
        award=award,
        amount=D("50000.00"),
        idempotency_key=uuid.uuid4(),
        today=date(2025, 1, 10),
    )
    if request.status == request.Status.REQUESTED:
        request = ledger.drawdown_approve(
            actor=second_approver(), request=request, today=date(2025, 1, 10)
        )
    ledger.drawdown_mark_paid(actor=program.approver, request=request, today=date(2025, 1, 10))
    for amount, day, category in (
        ("30000.00", date(2024, 11, 15), "A"),
        ("25000.00", date(2025, 2, 10), "A"),
        ("12000.50", date(2025, 5, 20), "C"),
        ("40000.25", date(2025, 9, 1), "A"),
    ):
        post(program, "expenditure", D(amount), day, category=category)
    factories.make_appropriation(program.pm, fiscal_year=2024, amount="850000.00")
    for i, period_end in enumerate(
        (date(2024, 12, 31), date(2025, 6, 30), date(2025, 12, 31), date(2026, 6, 30))
    ):
        ProgressReport.objects.create(
            award=award,
            period_end=period_end,
            status="submitted",
            submitted_by=program.officer_a,
            submitted_at=timezone.now(),
            accomplishments="Casework",
            **{field: 120 + 35 * i for field, _ in MEASURES},
        )
    return award


def test_charts_fit_the_screen(live_program, live_server, browser_page, sign_in, shot):
    award = _with_money_and_measures(live_program)
    page = browser_page
    pages = {
        "pm": [
            ("program", reverse("reports:program_charts")),
            ("award", reverse("reports:award_charts", args=[award.award_number])),
        ],
        "officer_a": [("award", reverse("reports:award_charts", args=[award.award_number]))],
    }
    for persona, urls in pages.items():
        sign_in(page, persona)
        for name, url in urls:
            for width in (1280, 390):
                page.set_viewport_size({"width": width, "height": 900})
                response = page.goto(f"{live_server.url}{url}")
                assert response is not None and response.status == 200
                expect(page.locator("main svg.chart").first).to_be_visible()
                shot(page, f"{persona}-{name}-{width}")
                assert page.evaluate(PROBLEMS) == [], (persona, name, width)
                assert page.evaluate(CHART_PROBLEMS) == [], (persona, name, width)
        page.context.clear_cookies()

    # The officer's own numbers, as the ledger has them.
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}{reverse('reports:award_charts', args=[award.award_number])}")
    expect(page.get_by_test_id("category-table")).to_contain_text("$95,000.25")
    expect(page.get_by_test_id("spending-table")).to_contain_text("$107,000.75")
