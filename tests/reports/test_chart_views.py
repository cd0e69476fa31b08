"""The charts pages: the amounts in each chart and its table are the ledger's, and each
person sees only what they may read."""

import re
import xml.etree.ElementTree as ET
from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from budgets.balances import award_balances
from budgets.modifications import budget_modification_decide, decrease_propose
from budgets.services import LineInput
from reports import chart_views
from reports.models import MEASURES, ProgressReport
from tests import factories
from tests.budgets.ledger_helpers import activate, post, reverse_entry

SVG = "{http://www.w3.org/2000/svg}"
TODAY = date(2025, 4, 10)


@pytest.fixture
def on_the_day(monkeypatch):
    """The pages as on 04/10/2025, the day the worked example's numbers stand."""
    monkeypatch.setattr(chart_views, "timezone", SimpleNamespace(localdate=lambda: TODAY))


def svg(html: str, chart_id: str) -> ET.Element:
    match = re.search(rf'<svg class="chart"[^>]* id="{chart_id}".*?</svg>', html, re.S)
    assert match, f"no chart {chart_id}"
    return ET.fromstring(match.group(0))


def table_rows(html: str, testid: str) -> list[list[str]]:
    match = re.search(rf'<table[^>]*data-testid="{testid}".*?</table>', html, re.S)
    assert match, f"no table {testid}"
    body = match.group(0).split("<tbody>")[1]
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row)
        ]
        for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)
    ]


def file_progress(award, officer, period_end, arrests):
    return ProgressReport.objects.create(
        award=award,
        period_end=period_end,
        status="submitted",
        submitted_by=officer,
        submitted_at=timezone.now(),
        accomplishments="Casework",
        **{field: (arrests if field == "arrests" else 0) for field, _ in MEASURES},
    )


@pytest.mark.django_db
def test_the_award_charts_carry_the_ledgers_amounts(client, example, on_the_day):
    award = example.example
    client.force_login(example.officer_a)
    html = client.get(reverse("reports:award_charts", args=[award.award_number])).text

    balances = award_balances(award, as_of=TODAY)
    assert balances.federal_expenditures == 205000 and balances.authorized == 500000
    spending = svg(html, "award-spending")
    assert spending.get("role") == "img"
    assert spending.find(f"{SVG}desc").text.startswith(
        "$205,000.00 of $500,000.00 authorized spent by 04/10/2025"
    )
    rows = table_rows(html, "spending-table")
    # One row a month from the start of the period to today; all spending on 03/01/2025.
    assert [r[0] for r in rows] == [
        "10/31/2024",
        "11/30/2024",
        "12/31/2024",
        "01/31/2025",
        "02/28/2025",
        "03/31/2025",
        "04/10/2025",
    ]
    # 151 and 182 of the period's 730 days by 02/28 and 03/31: $500,000 × 151 / 730 and
    # $500,000 × 182 / 730, to the cent.
    assert rows[4] == ["02/28/2025", "$0.00", "$103,424.66"]
    assert rows[5] == ["03/31/2025", "$205,000.00", "$124,657.53"]
    assert rows[-1][1] == "$205,000.00"

    categories = svg(html, "award-categories")
    titles = [t.text for t in categories.iter(f"{SVG}title")][1:]
    assert "A. Personnel, Federal spending: $108,000.00" in titles
    assert "A. Personnel, Federal budget: $300,000.00" in titles
    assert "J. Indirect costs, Federal spending: $18,000.00" in titles
    by_category = {r[0]: r[1:] for r in table_rows(html, "category-table")}
    assert by_category["A. Personnel"] == ["$300,000.00", "$108,000.00", "36.0%"]
    assert by_category["D. Equipment"] == ["$100,000.00", "$79,000.00", "79.0%"]
    assert by_category["H. Procurement contracts"] == ["$82,000.00", "$0.00", "0.0%"]
    assert by_category["J. Indirect costs"] == ["$18,000.00", "$18,000.00", "100.0%"]


@pytest.mark.django_db
def test_the_award_page_shows_a_measure_of_its_own_reports_only(client, example, on_the_day):
    award = example.example
    file_progress(award, example.officer_a, date(2024, 12, 31), 3)
    file_progress(award, example.officer_a, date(2025, 6, 30), 5)
    file_progress(example.award_b, example.officer_b, date(2024, 12, 31), 7)
    client.force_login(example.officer_a)
    url = reverse("reports:award_charts", args=[award.award_number])
    html = client.get(url, {"measure": "arrests"}).text
    assert table_rows(html, "measure-table") == [["12/31/2024", "3"], ["06/30/2025", "5"]]
    chart = svg(html, "award-measure")
    assert [t.text for t in chart.iter(f"{SVG}title")][1:] == [
        "12/2024, Arrests: 3",
        "06/2025, Arrests: 5",
    ]
    # An unknown measure shows the first one rather than failing.
    html = client.get(url, {"measure": "password"}).text
    assert "Complaints received, from the filed progress reports" in html


@pytest.mark.django_db
def test_the_program_charts_sum_every_fiscal_year_and_every_award(client, example):
    file_progress(example.example, example.officer_a, date(2024, 12, 31), 3)
    file_progress(example.award_b, example.officer_b, date(2024, 12, 31), 7)
    client.force_login(example.auditor)
    html = client.get(reverse("reports:program_charts"), {"measure": "arrests"}).text
    drawn = award_balances(example.example, as_of=date.today()).drawn
    assert drawn == 210000
    # $1,000,000 appropriated; three awards of $200,000, $200,000 and $500,000.
    assert table_rows(html, "program-table") == [
        ["FY2025", "$1,000,000.00", "$900,000.00", "$210,000.00", "$0.00"]
    ]
    chart = svg(html, "program-by-year")
    assert [t.text for t in chart.iter(f"{SVG}title")][1:] == [
        "FY2025, Appropriated: $1,000,000.00",
        "FY2025, Awarded: $900,000.00",
        "FY2025, Drawn: $210,000.00",
        "FY2025, Deobligated: $0.00",
    ]
    assert table_rows(html, "measure-table") == [["12/31/2024", "10"]]


@pytest.mark.django_db
def test_another_task_forces_award_is_not_found_and_the_program_is_not_theirs(client, example):
    client.force_login(example.officer_b)
    url = reverse("reports:award_charts", args=[example.example.award_number])
    assert client.get(url).status_code == 404
    assert client.get(reverse("reports:program_charts")).status_code == 403


@pytest.mark.django_db
def test_the_charts_pages_keep_to_the_content_security_policy(client, example):
    client.force_login(example.pm)
    for url in (
        reverse("reports:award_charts", args=[example.example.award_number]),
        reverse("reports:program_charts"),
    ):
        response = client.get(url)
        assert response.status_code == 200
        assert "style-src 'self'" in response["Content-Security-Policy"]
        assert "style=" not in response.text and "<script>" not in response.text


@pytest.mark.django_db
def test_a_reversal_takes_its_amount_off_from_its_own_month(client, program, on_the_day):
    award = activate(program)
    post(program, "expenditure", Decimal("30000.00"), date(2024, 11, 15))
    wrong = post(program, "expenditure", Decimal("25000.10"), date(2025, 2, 10))
    reverse_entry(program, wrong, effective_date=date(2025, 3, 5))
    assert award_balances(award, as_of=TODAY).federal_expenditures == Decimal("30000.00")
    client.force_login(program.officer_a)
    html = client.get(reverse("reports:award_charts", args=[award.award_number])).text
    spent = {r[0]: r[1] for r in table_rows(html, "spending-table")}
    assert spent["11/30/2024"] == "$30,000.00"
    assert spent["02/28/2025"] == "$55,000.10"
    assert spent["03/31/2025"] == "$30,000.00"
    assert spent["04/10/2025"] == "$30,000.00"
    titles = [t.text for t in svg(html, "award-categories").iter(f"{SVG}title")][1:]
    assert "A. Personnel, Federal spending: $30,000.00" in titles


def _another_year(program, fiscal_year: int) -> None:
    """FY`fiscal_year`: $500,000 appropriated ($50,000 set aside), an award of $200,000
    to task force A of which $20,000.01 is given back by a decrease, and a draft of
    $100,000 to task force B."""
    appropriation = factories.make_appropriation(
        program.pm, fiscal_year=fiscal_year, amount="500000.00", set_aside="50000.00"
    )
    award = activate(
        program,
        factories.make_award(
            program.pm, task_force=program.task_force_a, appropriation=appropriation
        ),
    )
    decrease = decrease_propose(
        actor=program.pm,
        award=award,
        amount="20000.01",
        lines=[LineInput("A", Decimal("120000.00")), LineInput("C", Decimal("59999.99"))],
        justification="Vacant investigator position not filled",
        today=date(2025, 3, 1),
    )
    budget_modification_decide(
        actor=program.approver, modification=decrease, approve=True, today=date(2025, 3, 1)
    )
    factories.make_award(
        program.pm, task_force=program.task_force_b, appropriation=appropriation, amount="100000.00"
    )


@pytest.mark.django_db
def test_the_program_charts_cost_the_same_queries_for_one_year_and_for_five(client, program):
    """Each year's money is read in grouped queries for every year at once, not a money
    chain per year."""
    client.force_login(program.pm)
    url = reverse("reports:program_charts")
    counts = []
    for years in ((), (2021, 2022, 2023, 2024)):
        for fiscal_year in years:
            _another_year(program, fiscal_year)
        client.get(url)  # the session's first read of the day settles
        with CaptureQueriesContext(connection) as queries:
            html = client.get(url).text
        counts.append(len(queries))
    # Five of them read every year's money chain at once: appropriated, set aside,
    # awarded, the cancellation rule and what came back.
    assert counts == [13, 13]
    # Each earlier year: $300,000 awarded (the draft counts), $20,000.01 given back.
    earlier = [
        [f"FY{year}", "$500,000.00", "$300,000.00", "$0.00", "$20,000.01"]
        for year in (2021, 2022, 2023, 2024)
    ]
    assert table_rows(html, "program-table") == [
        *earlier,
        ["FY2025", "$1,000,000.00", "$400,000.00", "$0.00", "$0.00"],
    ]
