"""The ledger page's "Cash on hand after" and "Federal spent after": the balance after
each entry in ledger order (effective date, then posting order), whatever the page's
sort, filter or page, the same as the API's, at a cost that does not grow with the
ledger (budgets.running)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.urls import reverse

from budgets import ledger_days
from budgets.models import LedgerEntry
from reports.exports.workbooks import ledger_rows
from tests.api.helpers import bearer
from tests.budgets.ledger_helpers import activate, draw, post, reverse_entry


def _busy_ledger(program) -> dict:
    """Cash drawn, spending paid and unpaid, reversals, several entries a day and entries
    back-dated before ones posted earlier. Returns the entries worth naming."""
    activate(program)
    draw(program, "5000.00", day=date(2025, 1, 10))
    obligation = post(program, "obligation", "900.00", day=date(2025, 1, 10))
    named = {}
    for n in range(8):
        day = date(2025, 1, 12 + n % 3)
        spent = post(program, "expenditure", f"{100 + n}.00", day=day, obligation=obligation)
        post(program, "disbursement", f"{100 + n}.00", day=day, expenditure=spent)
        post(program, "disbursement", f"{10 + n}.25", day=day)
    wrong = post(program, "expenditure", "40.00", day=date(2025, 1, 12))
    named["wrong"] = wrong
    reverse_entry(program, wrong, effective_date=date(2025, 1, 20))
    paid_wrongly = post(program, "disbursement", "33.00", day=date(2025, 1, 13))
    reverse_entry(program, paid_wrongly, effective_date=date(2025, 1, 13))
    # Back-dated: posted last, effective before most of the above.
    named["back_dated"] = post(program, "disbursement", "7.77", day=date(2025, 1, 11))
    post(program, "program_income", "10.00", day=date(2025, 1, 11))
    return named


def _recomputed(award) -> dict[int, tuple[str, str]]:
    """Each entry's balances from one pass over the whole ledger in ledger order."""
    entries = LedgerEntry.objects.filter(award=award)
    return {row[1]: (f"{row[9]:.2f}", f"{row[10]:.2f}") for row in ledger_rows(entries)}


def _api(client, program, **params) -> dict[int, tuple[str, str]]:
    url = reverse("api:award_ledger", args=[program.award_a.award_number])
    seen = {}
    page = client.get(url, {"page_size": 7, **params}, **bearer(program.officer_a)).json()
    while True:
        seen |= {e["id"]: (e["cash_after"], e["federal_spent_after"]) for e in page["results"]}
        if not page["next"]:
            return seen
        page = client.get(page["next"], **bearer(program.officer_a)).json()


def test_page_two_sorted_by_amount_and_filtered_shows_each_entrys_own_balances(client, program):
    named = _busy_ledger(program)
    expected = _recomputed(program.award_a)
    # By hand: 5,000 drawn, less the back-dated 7.77 and what January 12th paid out
    # (100 + 103 + 106 for spending, 10.25 + 13.25 + 16.25 unmatched); federal spending
    # is the expenditures of that day so far, the wrong one's 40.00 included.
    assert expected[named["wrong"].pk] == ("4643.48", "349.00")
    assert expected[named["back_dated"].pk] == ("4992.23", "0.00")
    client.force_login(program.officer_a)
    page = client.get(
        reverse("budgets:award_ledger", args=[program.award_a.award_number]),
        {"kind": "disbursement", "sort": "-amount", "per_page": 5, "page": 2},
    )
    rows = [row.record for row in page.context["table"].page.object_list]
    amounts = [row.amount for row in rows]
    assert len(rows) == 5 and amounts == sorted(amounts, reverse=True)
    assert {row.kind for row in rows} == {"disbursement"}
    shown = {row.pk: (f"{row.cash_after:.2f}", f"{row.federal_spent_after:.2f}") for row in rows}
    assert shown == {pk: expected[pk] for pk in shown}
    api = _api(client, program, kind="disbursement")
    assert shown == {pk: api[pk] for pk in shown}
    # And on the screen, in the row's own cells.
    html = page.content.decode()
    first = rows[0]
    row_html = html.split(f'data-entry="{first.pk}"')[1].split("</tr>")[0]
    assert f"${first.cash_after:,.2f}" in row_html


def test_every_entry_on_every_page_matches_the_whole_ledger_pass(client, program):
    _busy_ledger(program)
    expected = _recomputed(program.award_a)
    client.force_login(program.officer_a)
    url = reverse("budgets:award_ledger", args=[program.award_a.award_number])
    shown = {}
    for number in range(1, 5):
        page = client.get(url, {"sort": "-effective_date", "per_page": 10, "page": number})
        shown |= {
            row.record.pk: (f"{row.record.cash_after:.2f}", f"{row.record.federal_spent_after:.2f}")
            for row in page.context["table"].page.object_list
        }
    assert shown == expected


SORTS = {
    "effective_date": lambda e: (e.effective_date, e.pk),
    "amount": lambda e: (e.amount, e.pk),
}


@pytest.mark.parametrize("sort", ["effective_date", "-effective_date", "amount", "-amount"])
def test_every_page_shows_the_rows_of_its_place_in_the_sort_first_to_last(client, program, sort):
    # Pages past the middle are read from the far end of the index (tables.page_ids):
    # they show the same rows, in the same order, as reading from the start would.
    _busy_ledger(program)
    expected = _recomputed(program.award_a)
    entries = list(LedgerEntry.objects.filter(award=program.award_a))
    in_order = [
        e.pk for e in sorted(entries, key=SORTS[sort.lstrip("-")], reverse=sort.startswith("-"))
    ]
    client.force_login(program.officer_a)
    url = reverse("budgets:award_ledger", args=[program.award_a.award_number])
    pages, shown = -(-len(entries) // 7), []
    for number in range(1, pages + 1):
        page = client.get(url, {"sort": sort, "per_page": 7, "page": number})
        rows = [row.record for row in page.context["table"].page.object_list]
        assert [row.pk for row in rows] == in_order[(number - 1) * 7 : number * 7]
        assert {r.pk: (f"{r.cash_after:.2f}", f"{r.federal_spent_after:.2f}") for r in rows} == {
            r.pk: expected[r.pk] for r in rows
        }
        shown += [row.pk for row in rows]
    assert shown == in_order and len(entries) % 7  # the last page is a short one


def _many(program, count: int) -> None:
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


def test_the_last_page_costs_no_more_queries_for_300_entries_than_for_30(
    client, program, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    activate(program)
    client.force_login(program.officer_a)
    url = reverse("budgets:award_ledger", args=[program.award_a.award_number])
    _many(program, 30)
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url, {"page": 1, "sort": "-amount"}).status_code == 200  # 25 rows
    at_30 = len(queries)
    _many(program, 270)
    with django_assert_max_num_queries(at_30):
        page = client.get(url, {"page": 12, "sort": "-amount"})
    assert page.status_code == 200
    last = page.context["table"].page.object_list
    assert len(last) == 25


def test_each_row_offers_the_actions_its_entry_allows(client, program):
    named = _busy_ledger(program)
    unpaid = post(program, "expenditure", "60.00", day=date(2025, 1, 21))
    number = program.award_a.award_number
    url = reverse("budgets:award_ledger", args=[number])

    def cell(html, entry):
        return html.split(f'data-entry="{entry.pk}"')[1].split("</tr>")[0]

    client.force_login(program.officer_a)
    html = client.get(url, {"per_page": 50}).content.decode()
    row = cell(html, unpaid)
    pay = reverse("budgets:entry_create", args=[number, "disbursement"])
    assert f'href="{pay}?expenditure={unpaid.pk}">Record payment</a>' in row
    assert f'href="{reverse("budgets:entry_reverse", args=[number, unpaid.pk])}">Reverse' in row
    row = cell(html, named["wrong"])
    assert '<span class="text-base">Reversed</span>' in row and "Record payment" not in row
    row = cell(html, named["back_dated"])
    assert ">Reverse</a>" in row and "Record payment" not in row
    # Someone who may not record spending sees no action, only what was reversed.
    client.force_login(program.pm)
    html = client.get(url, {"per_page": 50}).content.decode()
    assert ">Reverse</a>" not in html and "Record payment" not in html
    assert '<span class="text-base">Reversed</span>' in cell(html, named["wrong"])


def _orderable_columns(client, url) -> list[str]:
    table = client.get(url).context["table"]
    return [column.name for column in table.columns if column.orderable]


@pytest.mark.slow
def test_every_sort_shows_each_entry_exactly_once_across_pages_of_tied_rows(client, program):
    # Sixty expenditures of one kind, category, share and amount, without references:
    # every sort but the date's is all ties, broken by posting order (the id), so the
    # pages past the middle, read from the far end (tables.page_ids), show the rows the
    # ones before them did not.
    activate(program)
    _many(program, 60)
    ids = sorted(LedgerEntry.objects.filter(award=program.award_a).values_list("pk", flat=True))
    client.force_login(program.officer_a)
    url = reverse("budgets:award_ledger", args=[program.award_a.award_number])
    columns = _orderable_columns(client, url)
    assert {"kind", "category", "share", "memo", "reference", "actor"} <= set(columns)
    for column in columns:
        for sort in (column, f"-{column}"):
            shown = []
            for number in range(1, 10):  # 60 rows, 7 a page: 9 pages
                page = client.get(url, {"sort": sort, "per_page": 7, "page": number})
                table = page.context["table"]
                assert table.data.data.query.order_by[-1].lstrip("-") == "pk", sort
                shown += [row.record.pk for row in table.page.object_list]
            assert sorted(shown) == ids, sort
            if column not in ("effective_date",):  # all tied: posting order, either way
                assert shown == (ids[::-1] if sort.startswith("-") else ids), sort
