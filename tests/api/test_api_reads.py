"""What the API answers: exact amounts as strings, balances as of a day, the ledger
filtered and paged like the ledger page, and problem details for bad input."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from api.problems import PROBLEM_JSON
from budgets import ledger_days
from budgets.models import LedgerEntry
from tests import factories
from tests.api.helpers import bearer
from tests.budgets.ledger_helpers import activate, post


@pytest.fixture
def spent(program):
    """Task force A's award, active, with an obligation of 500.00 on January 10th and an
    expenditure of 1,234.50 on January 15th 2025."""
    activate(program)
    post(program, "obligation", "500.00", day=date(2025, 1, 10))
    post(program, "expenditure", "1234.50", day=date(2025, 1, 15))
    return program


def get(client, user, name, *args, **params):
    return client.get(reverse(name, args=args), params, **bearer(user))


def test_an_award_shows_its_money_as_strings_with_two_decimals(client, program):
    body = get(client, program.officer_a, "api:award", program.award_a.award_number).json()
    assert body["federal_amount"] == "200000.00"
    assert body["task_force"] == program.task_force_a.code
    assert body["funding_lines"] == [
        {
            "appropriation": program.appropriation.pk,
            "appropriation_name": program.appropriation.name,
            "fiscal_year": program.appropriation.fiscal_year,
            "amount": "200000.00",
        }
    ]


def test_appropriations_show_what_was_awarded_from_them(client, program):
    [row] = get(client, program.pm, "api:appropriations").json()["results"]
    assert row["amount"] == f"{program.appropriation.amount:.2f}"
    # Both awards of the fixture are funded from it, 200,000.00 each.
    assert row["awarded_total"] == "400000.00"


def test_balances_as_of_a_day_are_the_sf425_lines(client, spent):
    number = spent.award_a.award_number
    body = get(client, spent.officer_a, "api:award_balances", number, as_of="2025-01-31").json()
    assert body["as_of"] == "2025-01-31"
    assert body["authorized"] == "200000.00"  # 10d
    assert body["drawn"] == "0.00"  # 10a
    assert body["federal_expenditures"] == "1234.50"  # 10e
    assert body["unliquidated"] == "500.00"  # 10f
    assert body["total_federal_share"] == "1734.50"  # 10g
    assert body["unobligated"] == "198265.50"  # 10h
    assert body["unexpended_program_income"] == "0.00"  # 10o
    before = get(client, spent.officer_a, "api:award_balances", number, as_of="2025-01-12").json()
    assert (before["unliquidated"], before["federal_expenditures"]) == ("500.00", "0.00")


def test_a_date_that_is_not_one_is_a_400_problem_naming_the_parameter(client, program):
    response = get(
        client, program.pm, "api:award_balances", program.award_a.award_number, as_of="31/01/2025"
    )
    assert response.status_code == 400
    assert response["Content-Type"] == PROBLEM_JSON
    body = response.json()
    assert body["title"] == "Bad Request"
    assert body["errors"] == {
        "as_of": ["'31/01/2025' is not a date: write it as YYYY-MM-DD, such as 2025-06-30."]
    }


def test_the_ledger_filters_like_the_ledger_page(client, spent):
    number = spent.award_a.award_number
    every = get(client, spent.officer_a, "api:award_ledger", number).json()["results"]
    assert [(e["kind"], e["amount"]) for e in every] == [
        ("obligation", "500.00"),
        ("expenditure", "1234.50"),
    ]
    assert every[1]["federal_spent_after"] == "1234.50"
    spending = get(client, spent.officer_a, "api:award_ledger", number, kind="expenditure")
    assert [e["amount"] for e in spending.json()["results"]] == ["1234.50"]
    later = get(client, spent.officer_a, "api:award_ledger", number, date_from="2025-01-11")
    assert [e["kind"] for e in later.json()["results"]] == ["expenditure"]
    wrong = get(client, spent.officer_a, "api:award_ledger", number, kind="gift")
    assert wrong.status_code == 400
    assert "gift" in wrong.json()["errors"]["kind"][0]


def test_the_ledger_names_each_entry_s_reference_and_what_it_pays(client, program):
    activate(program)
    obligation = post(program, "obligation", "500.00", day=date(2025, 1, 10), reference="PO-77")
    expenditure = post(
        program,
        "expenditure",
        "500.00",
        day=date(2025, 1, 15),
        obligation=obligation,
        reference="INV-2025-0042",
    )
    number = program.award_a.award_number
    rows = get(client, program.officer_a, "api:award_ledger", number).json()["results"]
    assert [(e["id"], e["reference"], e["obligation"], e["expenditure"]) for e in rows] == [
        (obligation.pk, "PO-77", None, None),
        (expenditure.pk, "INV-2025-0042", obligation.pk, None),
    ]


def _entries(program, count: int) -> None:
    LedgerEntry.objects.bulk_create(
        LedgerEntry(
            award=program.award_a,
            kind="expenditure",
            category="A",
            amount=Decimal("1.25"),
            effective_date=date(2025, 1, 1 + n % 28),
            actor=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
        for n in range(count)
    )
    ledger_days.rebuild([program.award_a.pk])


def test_the_ledger_pages_by_cursor(client, program):
    _entries(program, 15)
    number = program.award_a.award_number
    first = get(client, program.officer_a, "api:award_ledger", number, page_size=10).json()
    assert len(first["results"]) == 10
    second = client.get(first["next"], **bearer(program.officer_a)).json()
    assert len(second["results"]) == 5 and second["next"] is None
    ids = [e["id"] for e in first["results"] + second["results"]]
    assert len(set(ids)) == 15


def test_a_ledger_page_costs_the_same_queries_for_10_rows_as_for_100(client, program):
    _entries(program, 120)
    headers = bearer(program.officer_a)
    url = reverse("api:award_ledger", args=[program.award_a.award_number])
    client.get(url, **headers)  # the token's first use records when it was used
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": size}, **headers)
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[100] == counts[10]


def test_an_award_list_costs_the_same_queries_whatever_its_length(client, program):
    headers = bearer(program.pm)
    client.get(reverse("api:awards"), **headers)  # the token's first use records its time
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get(reverse("api:awards"), **headers).json()["results"]) == 2
    two = len(queries)
    for _ in range(3):
        factories.make_award(
            program.pm,
            task_force=program.task_force_b,
            appropriation=program.appropriation,
            amount="1000.00",
        )
    with CaptureQueriesContext(connection) as queries:
        assert len(client.get(reverse("api:awards"), **headers).json()["results"]) == 5
    assert len(queries) == two


def test_running_balances_on_every_page_match_a_pass_over_the_whole_ledger(client, program):
    """The API sums a page's balances from the per-day totals (budgets.running); the
    workbook carries them along one pass over every entry in ledger order: the same
    numbers, on every page and under a filter."""
    from reports.exports.workbooks import ledger_rows
    from tests.budgets.ledger_helpers import draw, reverse_entry

    activate(program)
    draw(program, "900.00", day=date(2025, 1, 10))
    obligation = post(program, "obligation", "500.00", day=date(2025, 1, 10))
    spent = post(program, "expenditure", "300.00", day=date(2025, 1, 12), obligation=obligation)
    post(program, "disbursement", "300.00", day=date(2025, 1, 12), expenditure=spent)
    wrong = post(program, "expenditure", "40.00", day=date(2025, 1, 12))
    reverse_entry(program, wrong, effective_date=date(2025, 1, 20))
    post(program, "disbursement", "25.50", day=date(2025, 2, 1))
    post(program, "program_income", "10.00", day=date(2025, 2, 1))
    expected = {
        row[1]: (f"{row[9]:.2f}", f"{row[10]:.2f}")
        for row in ledger_rows(LedgerEntry.objects.filter(award=program.award_a))
    }
    url = reverse("api:award_ledger", args=[program.award_a.award_number])
    for params in ({"page_size": 3}, {"page_size": 2, "kind": "disbursement"}):
        seen = {}
        page = client.get(url, params, **bearer(program.officer_a)).json()
        while True:
            seen |= {e["id"]: (e["cash_after"], e["federal_spent_after"]) for e in page["results"]}
            if not page["next"]:
                break
            page = client.get(page["next"], **bearer(program.officer_a)).json()
        assert seen == {pk: expected[pk] for pk in seen}
        assert len(seen) == (len(expected) if "kind" not in params else 2)
    assert expected[wrong.pk] == ("600.00", "340.00")
