"""Pages have no violation of axe-core's WCAG 2.1 A and AA rules (tags wcag2a, wcag2aa,
wcag21a, wcag21aa): contrast, names of fields and buttons, landmarks, unique ids, table
headers.

Every page of the permission matrix, for every persona it answers with a 200, is checked
by the walk over every page (tests/e2e/test_every_page.py), which also looks at its width;
here are the states a walk does not reach, and the check itself. The results of each page
are saved to tests/e2e/axe-results/<test>.json.
"""

import pytest
from django.urls import reverse
from playwright.sync_api import expect

from tests import factories
from tests.e2e.conftest import password_sign_in
from tests.e2e.matrix_pages import sign_in_as

pytestmark = [pytest.mark.e2e, pytest.mark.axe]


def test_menus_errors_and_second_factor_pages_have_no_violation(
    live_program, live_server, browser_page, axe
):
    """What the walk does not see: the pages before the second factor, the menu opened
    on a phone, a form sent back with its errors and the page for what is not found."""
    program, page, base = live_program, browser_page, live_server.url
    problems = []

    def check(name):
        problems.extend(f"{name}: {line}" for line in axe(page, name))

    page.set_viewport_size({"width": 390, "height": 844})
    password_sign_in(page, base, "approver", factories.PASSWORD)
    check("second factor enrolment at 390 px")
    page.get_by_role("button", name="Menu").click()
    check("second factor enrolment, menu open")

    sign_in_as(page, base, "officer_a", program)
    page.goto(f"{base}/")
    page.get_by_role("button", name="Menu").click()
    expect(page.get_by_role("navigation", name="Primary navigation")).to_be_visible()
    check("dashboard at 390 px, menu open")

    page.set_viewport_size({"width": 1280, "height": 900})
    award = program.award_a.award_number
    page.goto(f"{base}{reverse('budgets:drawdown_create', args=[award])}")
    page.get_by_role("button", name="Request drawdown").click()
    expect(page.locator(".usa-error-message").first).to_be_visible()
    check("a drawdown request sent back with its errors")

    response = page.goto(
        f"{base}{reverse('grants:award_detail', args=[program.award_b.award_number])}"
    )
    assert response.status == 404
    check("another task force's award (404)")
    assert not problems, f"{len(problems)} violations:\n" + "\n".join(problems)


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_the_check_names_each_fault_it_finds(live_server, browser_page, axe):
    """The check itself: a page with a field without a label, an image without a text
    and two elements with one id is reported with each rule and element."""
    page = browser_page
    page.set_content(
        '<html lang="en"><head><title>Faults</title></head><body><main>'
        '<h1>Faults</h1><input id="amount" type="text"><img src="data:," id="logo">'
        '<label for="twice">One</label><input id="twice"><input id="twice" aria-label="Two">'
        "</main></body></html>"
    )
    found = axe(page, "a page with faults")
    assert any(line.startswith("label ") and "#amount" in line for line in found), found
    assert any(line.startswith("image-alt ") and "#logo" in line for line in found), found
