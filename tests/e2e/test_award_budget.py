"""An award and its budget, through the browser: the program manager finds an award
and reads its budget, another task force's officer cannot see it, and an award whose
budget does not add up is refused until it does."""

import re

import pytest
from playwright.sync_api import expect

from grants.models import Award

pytestmark = pytest.mark.e2e


def budget_row(table, category: str):
    return table.get_by_role("row").filter(
        has=table.page.get_by_role("cell", name=category, exact=True)
    )


def test_program_manager_reads_an_awards_budget(
    live_program, live_server, browser_page, sign_in, shot
):
    page, award = browser_page, live_program.award_a
    sign_in(page, "pm")
    expect(page.get_by_role("heading", level=1, name="Dashboard")).to_be_visible()
    shot(page, "dashboard")

    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "link", name="Awards"
    ).click()
    expect(page.get_by_role("heading", level=1, name="Awards")).to_be_visible()
    shot(page, "awards")

    page.get_by_role("row").filter(has_text=live_program.task_force_a.name).get_by_role(
        "link", name=award.award_number
    ).click()
    expect(page).to_have_url(f"{live_server.url}/awards/{award.award_number}/")
    expect(page.get_by_role("heading", level=1, name=f"Award {award.award_number}")).to_be_visible()
    expect(page.get_by_test_id("federal-amount")).to_have_text("$200,000.00")

    budget = page.get_by_test_id("budget-v1")
    expect(budget).to_be_visible()
    expect(budget_row(budget, "A. Personnel").get_by_role("cell").nth(1)).to_have_text(
        "$120,000.00"
    )
    expect(budget_row(budget, "C. Travel").get_by_role("cell").nth(1)).to_have_text("$80,000.00")
    total = budget.get_by_role("row").filter(has=page.get_by_role("rowheader", name="Total"))
    expect(total.get_by_role("cell").first).to_have_text("$200,000.00")
    shot(page, "award-a")


def test_other_task_forces_officer_gets_404_for_award(
    live_program, live_server, browser_page, sign_in, shot
):
    page = browser_page
    sign_in(page, "officer_b")
    response = page.goto(f"{live_server.url}/awards/{live_program.award_a.award_number}/")
    shot(page, "award-a-as-officer-b")
    assert response is not None and response.status == 404
    expect(page.get_by_text("$200,000.00")).to_have_count(0)
    expect(page.get_by_text(live_program.task_force_a.name)).to_have_count(0)

    # Their own task force's award is there for them.
    response = page.goto(f"{live_server.url}/awards/{live_program.award_b.award_number}/")
    assert response is not None and response.status == 200
    shot(page, "award-b-as-officer-b")


def test_award_with_budget_that_does_not_add_up_is_refused_then_created(
    live_program, live_server, browser_page, sign_in, shot
):
    page, number = browser_page, "15PJDP-25-GK-00042-MECP"
    sign_in(page, "pm")
    page.goto(f"{live_server.url}/awards/")
    page.get_by_role("link", name="Create an award").click()
    expect(page.get_by_role("heading", level=1, name="Create an award")).to_be_visible()
    shot(page, "form-empty")

    page.get_by_label("Award number").fill(number)
    page.get_by_label("Title").fill("FY2025 ICAC Task Force Program supplement")
    page.get_by_role("combobox", name="Task force").select_option(
        label=live_program.task_force_a.name
    )
    page.get_by_label("Period start").fill("2024-10-01")
    page.get_by_label("Period end").fill("2026-09-30")
    page.get_by_label("Appropriation, line 1", exact=True).select_option(
        label="FY2025 ICAC Task Force Program ($500,000.00 left)"
    )
    page.get_by_label("Amount, line 1", exact=True).fill("150000.00")
    page.get_by_label("A. Personnel, federal", exact=True).fill("100000")
    page.get_by_label("C. Travel, federal", exact=True).fill("40000")
    page.get_by_role("button", name="Create draft award").click()

    alert = page.get_by_role("alert").filter(has_text="federal lines add up")
    expect(alert).to_have_text(
        "The federal lines add up to $140,000.00, but the award is $150,000.00: $10,000.00 short."
    )
    expect(page).to_have_url(re.compile(r"/awards/new/$"))
    shot(page, "form-short")
    assert not Award.objects.filter(award_number=number).exists()

    # What was typed is still there; fix the personnel line.
    expect(page.get_by_label("Award number")).to_have_value(number)
    page.get_by_label("A. Personnel, federal", exact=True).fill("110000")
    page.get_by_role("button", name="Create draft award").click()

    expect(page).to_have_url(f"{live_server.url}/awards/{number}/")
    expect(page.get_by_role("status")).to_contain_text(f"Created draft award {number}")
    expect(page.get_by_role("heading", level=1, name=f"Award {number}")).to_be_visible()
    expect(page.get_by_test_id("federal-amount")).to_have_text("$150,000.00")
    budget = page.get_by_test_id("budget-v1")
    expect(budget_row(budget, "A. Personnel").get_by_role("cell").nth(1)).to_have_text(
        "$110,000.00"
    )
    expect(budget_row(budget, "C. Travel").get_by_role("cell").nth(1)).to_have_text("$40,000.00")
    shot(page, "award-created")
    award = Award.objects.get(award_number=number)
    assert award.federal_amount == 150000 and award.status == Award.Status.DRAFT
