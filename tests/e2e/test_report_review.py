"""Return and resubmit, through the browser: task force A's finance officer certifies
and submits an SF-425, the program manager returns it with a comment, the officer sees
the comment and submits again.

Screenshots of each step: /tmp/shots/review-NN-<step>.png."""

import re

import pytest
from playwright.sync_api import expect

from reports.models import FinancialReport
from tests.budgets.ledger_helpers import activate
from tests.e2e.conftest import SHOTS

pytestmark = pytest.mark.e2e

REPORT = "SF-425 financial report, period ending 12/31/2024"
SUBMITTED = re.compile(rf"^\s*Submitted the {re.escape(REPORT)}\.\s*$", re.IGNORECASE)
COMMENT = "Line 10b does not match the bank statement for December: please check it."


@pytest.fixture
def active_award(live_program):
    """Award A active (committed, so the live server sees it): its quarter ending
    12/31/2024 can be filed."""
    activate(live_program)
    return live_program


@pytest.fixture
def review_shot():
    SHOTS.mkdir(parents=True, exist_ok=True)
    for old in SHOTS.glob("review-*.png"):
        old.unlink()
    counter = {"n": 0}

    def take(page, name: str):
        counter["n"] += 1
        page.screenshot(path=str(SHOTS / f"review-{counter['n']:02d}-{name}.png"), full_page=True)

    return take


def sign_out(page):
    page.get_by_role("navigation", name="Primary navigation").get_by_role(
        "button", name=re.compile(r"^Sign out")
    ).click()
    expect(page).to_have_url(re.compile(r"/accounts/login/$"))


def open_sf425_from_reports_tab(page, live_server, award_number: str, link: str):
    page.goto(f"{live_server.url}/awards/{award_number}/")
    page.get_by_role("navigation", name="Award sections").get_by_role(
        "link", name="Reports and closeout"
    ).click()
    expect(page).to_have_url(f"{live_server.url}/awards/{award_number}/reports/")
    row = page.get_by_test_id("award-calendar").get_by_role("row").filter(has_text=REPORT)
    expect(row).to_have_count(1)
    return row, lambda: row.get_by_role("link", name=link).click()


def certify(page):
    page.get_by_label("Name of certifying official (line 13)").fill("Lena Alvarez")
    page.get_by_label("Title").fill("Finance officer")
    page.get_by_label("Telephone").fill("555-0100")
    page.get_by_label("Email").fill("lena.alvarez@example.gov")
    # USWDS hides the box itself and draws one on the label: a person clicks the label.
    page.locator("label[for=id_certify]").click()


@pytest.mark.slow
def test_sf425_returned_for_correction_and_resubmitted(
    active_award, live_server, browser_page, sign_in, review_shot
):
    page, number = browser_page, active_award.award_a.award_number
    detail_url = f"{live_server.url}/awards/{number}/sf425/2024-12-31/"

    # The finance officer files the report.
    sign_in(page, "officer_a")
    row, open_report = open_sf425_from_reports_tab(page, live_server, number, "File")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Overdue")
    review_shot(page, "officer-reports-tab")
    open_report()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("heading", level=2, name=REPORT)).to_be_visible()
    certify(page)
    review_shot(page, "officer-form-filled")
    page.get_by_role("button", name="Submit SF-425").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("status")).to_have_text(SUBMITTED)
    expect(
        page.get_by_text(
            re.compile(r"Status: Submitted, submitted \d\d/\d\d/\d{4} by officer_a\.$")
        )
    ).to_be_visible()
    expect(page.get_by_role("button", name="Submit SF-425")).to_have_count(0)
    review_shot(page, "officer-submitted")
    sign_out(page)

    # The program manager returns it.
    sign_in(page, "pm")
    row, open_report = open_sf425_from_reports_tab(page, live_server, number, "View")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Submitted")
    open_report()
    expect(page.get_by_role("heading", level=3, name="Review")).to_be_visible()
    page.get_by_label("Comments (required to return the report)").fill(COMMENT)
    review_shot(page, "pm-review-comment")
    page.get_by_role("button", name="Return for correction").click()
    expect(page).to_have_url(detail_url)
    expect(page.get_by_role("status")).to_have_text(
        "Report returned to the task force with your comments."
    )
    expect(page.get_by_role("alert").filter(has_text="Returned for correction")).to_have_text(
        f"Returned for correction by pm: {COMMENT}"
    )
    expect(page.get_by_role("button", name="Return for correction")).to_have_count(0)
    review_shot(page, "pm-returned")
    sign_out(page)

    # The officer sees why and submits again.
    sign_in(page, "officer_a")
    row, open_report = open_sf425_from_reports_tab(page, live_server, number, "View")
    expect(row.get_by_role("cell").nth(3)).to_have_text("Returned for correction")
    review_shot(page, "officer-reports-tab-returned")
    open_report()
    expect(page.get_by_role("alert").filter(has_text="Returned for correction")).to_have_text(
        f"Returned for correction by pm: {COMMENT}"
    )
    review_shot(page, "officer-sees-comment")
    certify(page)
    page.get_by_role("button", name="Submit SF-425").click()
    expect(page.get_by_role("status")).to_have_text(SUBMITTED)
    expect(
        page.get_by_text(re.compile(r"Status: Submitted, .* by officer_a \(submission 2\)\.$"))
    ).to_be_visible()
    expect(page.get_by_role("alert").filter(has_text="Returned for correction")).to_have_count(0)
    review_shot(page, "officer-resubmitted")

    report = FinancialReport.objects.get(award=active_award.award_a)
    assert (report.status, report.submissions) == ("submitted", 2)
    assert report.certifier_email == "lena.alvarez@example.gov"
    assert report.reviewed_by is None and report.review_comment == COMMENT
