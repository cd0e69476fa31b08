"""A budget modification through the browser: task force A's finance officer moves
$5,000 into Construction (a category with no budget, so prior approval is needed),
checks the assessment first, submits, and the program manager approves it.

Screenshots of each step: /tmp/shots/test_budget_modification_*.png."""

import pytest
from playwright.sync_api import expect

from budgets.models import BudgetModification
from tests.budgets.ledger_helpers import activate
from tests.e2e.test_report_review import sign_out

pytestmark = pytest.mark.e2e


@pytest.fixture
def active_award(live_program):
    activate(live_program)  # budget: A. Personnel $120,000, C. Travel $80,000
    return live_program


def test_officer_proposes_and_program_manager_approves(
    browser_page, live_server, active_award, sign_in, shot
):
    page, award = browser_page, active_award.award_a
    sign_in(page, "officer_a")
    page.goto(f"{live_server.url}{award.get_absolute_url()}")
    page.get_by_role("link", name="Propose a budget modification").click()
    page.get_by_label("A. Personnel, federal").fill("115000.00")
    page.get_by_label("F. Construction, federal").fill("5000.00")
    page.get_by_label("F. Construction, narrative").fill("Secure evidence room")
    page.get_by_label("Why the budget changes").fill("Evidence must be stored securely")
    page.get_by_role("button", name="Check").click()
    assessment = page.get_by_test_id("assessment")
    expect(assessment).to_contain_text("Prior approval needed")
    expect(assessment).to_contain_text(
        "F. Construction had no federal budget in the last approved version."
    )
    shot(page, "checked")
    assert not BudgetModification.objects.exists()  # checking saves nothing

    page.get_by_role("button", name="Submit").click()
    expect(
        page.get_by_text("Prior approval is needed: the request went to a program manager.")
    ).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Waiting for approval")
    shot(page, "submitted")
    sign_out(page)

    sign_in(page, "pm")
    page.goto(f"{live_server.url}/budget-changes/")
    request = BudgetModification.objects.get()
    page.get_by_role("link", name=str(request.pk), exact=True).click()
    expect(page.get_by_text("New categories with federal money: F. Construction.")).to_be_visible()
    page.get_by_role("button", name="Approve").click()
    expect(page.get_by_text("Approved: the new budget is current.")).to_be_visible()
    expect(page.get_by_test_id("status")).to_have_text("Approved")
    shot(page, "approved")
    version = award.budget_versions.get(status="approved")
    assert version.number == 2
    assert version.lines.get(category="F").federal_amount == 5000
