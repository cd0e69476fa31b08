"""The oversight pages at 1280 and 390 px, filled: a risk review waiting for its
decision, a decided one with its conditions and plan, a withholding condition and an
open finding on task force A's award."""

from datetime import date

import pytest
from django.urls import reverse

from grants.models import Award
from oversight import services
from tests.e2e.page_fit import PROBLEMS, WIDTHS
from tests.oversight.conftest import record_review

pytestmark = pytest.mark.e2e


def _fill(program):
    Award.objects.filter(pk=program.award_a.pk).update(status="active")
    review = record_review(
        program, financial_stability="serious", audit_findings=2, sam_active=False
    )
    services.risk_review_decide(
        actor=program.pm,
        review=review,
        level="high",
        signature="pm",
        condition_keys=("sam", "financial_plan", "audit_cap", "monthly_reports"),
        clear_by=date(2099, 1, 31),
    )
    waiting = record_review(program, recipient=program.award_b.recipient)
    activity = program.award_a.monitoring_activities.order_by("planned_on").first()
    services.activity_complete(
        actor=program.pm,
        activity=activity,
        done_on=date.today(),
        summary="Payroll and inventory tested.",
    )
    services.finding_record(
        actor=program.pm,
        activity=activity,
        text="Timesheets for overtime are not signed by a supervisor.",
        cap_due_on=date(2099, 1, 31),
        questioned_amount="1250.00",
    )
    return review, waiting


def test_the_oversight_pages_fit_at_both_widths(
    live_program, live_server, browser_page, shot, sign_in
):
    program = live_program
    review, waiting = _fill(program)
    number = program.award_a.award_number
    page = browser_page
    problems = []
    walks = {
        "pm": [
            reverse("oversight:overview"),
            reverse("oversight:review_create"),
            review.get_absolute_url(),
            waiting.get_absolute_url(),
            reverse("oversight:award", args=[number]),
            reverse("grants:award_detail", args=[number]),
        ],
        "officer_a": [reverse("oversight:overview"), reverse("oversight:award", args=[number])],
    }
    for persona, urls in walks.items():
        page.context.clear_cookies()
        sign_in(page, getattr(program, persona).username)
        for url in urls:
            page.set_viewport_size({"width": WIDTHS[0], "height": 900})
            assert page.goto(f"{live_server.url}{url}").status == 200
            for width in WIDTHS:
                page.set_viewport_size({"width": width, "height": 900})
                shot(page, f"{persona}-{width}")
                found = page.evaluate(PROBLEMS)
                if found:
                    problems.append(f"{persona} {url} at {width} px: {'; '.join(found)}")
    assert not problems, "\n".join(problems)
    # The withholding conditions' holds are on the award page, with their text.
    page.goto(f"{live_server.url}{reverse('grants:award_detail', args=[number])}")
    assert "Special condition 1 is not cleared" in page.content()
