"""Finding things: the current section in the menu, breadcrumbs below the home page,
and the header's search, scoped like everything else (docs/home.md#finding-things)."""

import re

from django.urls import reverse

from grants import navigation
from tests.test_permissions import MATRIX

A = "15PJDP-25-GK-00001-MECP"
B = "15PJDP-25-GK-00002-MECP"


def _get(client, user, url):
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def _crumbs(page) -> list[str]:
    block = re.search(r'data-testid="breadcrumbs">(.*?)</nav>', page, re.S)
    if block is None:
        return []
    items = re.findall(
        r'<li class="usa-breadcrumb__list-item[^"]*"[^>]*>(.*?)</li>', block.group(1), re.S
    )
    return [" ".join(re.sub(r"<[^>]+>", " ", item).split()) for item in items]


def _current_sections(page) -> list[str]:
    nav = page.split("usa-nav__primary usa-accordion")[1].split("</ul>")[0]
    return re.findall(r'aria-current="page" href="[^"]*"><span>([^<]+)</span>', nav)


def test_the_home_page_has_no_breadcrumbs_and_is_the_current_section(client, program):
    page = _get(client, program.pm, reverse("home"))
    assert _crumbs(page) == []
    assert _current_sections(page) == ["Dashboard"]


def test_an_award_page_names_its_award_and_marks_awards_in_the_menu(client, program):
    page = _get(client, program.officer_a, reverse("budgets:award_ledger", args=[A]))
    assert _crumbs(page) == ["Home", "Awards", A, "Ledger"]
    assert 'aria-current="page"><span>Ledger</span>' in page
    assert _current_sections(page) == ["Awards"]
    page = _get(client, program.officer_a, reverse("grants:award_detail", args=[A]))
    assert _crumbs(page) == ["Home", "Awards", A]


def test_a_section_list_is_the_last_crumb_and_the_current_section(client, program):
    page = _get(client, program.approver, reverse("budgets:drawdown_queue"))
    assert _crumbs(page) == ["Home", "Drawdowns"]
    assert _current_sections(page) == ["Drawdowns"]
    page = _get(client, program.pm, reverse("reports:reminders"))
    assert _crumbs(page) == ["Home", "Reports due", "Reminders sent"]
    assert _current_sections(page) == ["Reports due"]
    page = _get(client, program.pm, reverse("compliance:index"))
    assert _crumbs(page) == ["Home", "Oversight", "Audits, subrecipients and SAM.gov"]
    assert _current_sections(page) == ["Oversight"]
    page = _get(client, program.pm, reverse("reports:measures"))
    assert _crumbs(page) == ["Home", "Reports due", "Performance measures"]
    assert _current_sections(page) == ["Reports due"]


def test_every_page_people_open_has_a_name_in_its_breadcrumbs():
    named = (
        set(navigation.PAGE_LABELS)
        | {s.url_name for s in navigation.SECTIONS}
        | {
            "grants:award_detail",
            "grants:task_force_detail",
            "grants:appropriation_detail",
            "login",
        }
    )
    pages = {
        name
        for (name, method), statuses in MATRIX.items()
        if method == "GET"
        and 200 in statuses.values()
        and not name.startswith(("exports:", "api:", "reports:calendar_feed"))
        and name
        not in (
            "reports:report_pdf",
            "budgets:ledger_import_template",
            "compliance:sefa_xlsx",
            "documents:download",
        )
    }
    assert pages - named == set()


def test_the_finance_officer_finds_only_their_task_forces_awards(client, program):
    page = _get(client, program.officer_a, reverse("grants:search") + "?q=00001")
    assert re.findall(r'<a href="/awards/([^/]+)/">', page) == [A]
    page = _get(client, program.officer_a, reverse("grants:search") + f"?q={B}")
    assert "No results for “15PJDP-25-GK-00002-MECP”." in page
    assert "Bravo" not in page.split('id="main-content"')[1]
    # Part of both numbers: only their own.
    page = _get(client, program.officer_a, reverse("grants:search") + "?q=15PJDP-25")
    assert "1 result for" in page and A in page and B not in page


def test_the_program_office_finds_every_task_force_recipient_and_appropriation(client, program):
    uei = program.task_force_b.lead_organization.uei
    page = _get(client, program.pm, reverse("grants:search") + f"?q={uei}")
    assert f"UEI {uei}" in page
    page = _get(client, program.pm, reverse("grants:search") + "?q=bravo")
    assert "Bravo ICAC Task Force</a> (MD)" in page
    page = _get(client, program.pm, reverse("grants:search") + "?q=FY2025")
    assert "FY2025 ICAC Task Force Program</a>: $1,000,000.00" in page
    assert A in page and B in page  # the year's awards too
    # Task-force staff never see appropriations, nor another task force's lead agency.
    page = _get(client, program.officer_a, reverse("grants:search") + "?q=FY2025")
    assert "Appropriations (" not in page and A in page and B not in page
    page = _get(client, program.officer_a, reverse("grants:search") + f"?q={uei}")
    assert "No results for" in page


def test_a_one_letter_search_asks_for_more(client, program):
    page = _get(client, program.pm, reverse("grants:search") + "?q=+a+")
    assert "Type at least two characters" in page


def test_the_search_box_is_in_the_header_with_the_query_kept(client, program):
    page = _get(client, program.pm, reverse("grants:search") + "?q=bravo")
    assert 'role="search"' in page and 'name="q" value="bravo"' in page


def test_a_task_force_page_is_named_by_the_task_forces_name(client, program):
    task_force = program.task_force_a
    page = _get(
        client, program.officer_a, reverse("grants:task_force_detail", args=[task_force.code])
    )
    assert _crumbs(page) == ["Home", "Task forces", task_force.name]
    assert task_force.name != task_force.code


def test_another_task_forces_404_does_not_name_it(client, program):
    task_force = program.task_force_a
    client.force_login(program.officer_b)
    response = client.get(reverse("grants:task_force_detail", args=[task_force.code]))
    assert response.status_code == 404
    assert task_force.name not in response.content.decode()
