"""The queries of the main pages, pinned for each role: a page costs the same number of
queries with one award and five entries as with five awards and two hundred entries (no
query per row or per award), and the number itself does not creep."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import ledger_days
from budgets.models import DrawdownRequest, LedgerEntry
from grants.models import Award
from tests import factories
from tests.budgets.ledger_helpers import activate

TODAY = date(2025, 6, 2)

# (page, role): queries. The sign-in's own reads (session, user, second factor) included,
# and one read of the rule values (grants.selectors.rules_read_once).
# A list of awards' money (budgets.selectors.set_award_money) costs three grouped queries
# for all its rows, whatever their number.
PINNED = {
    ("home", "pm"): 29,
    ("home", "approver"): 21,
    ("home", "auditor"): 20,
    ("home", "officer_a"): 26,
    ("ledger", "officer_a"): 29,
    ("ledger", "pm"): 29,
    ("ledger_by_amount", "officer_a"): 29,
    # The last page, read from the far end of the index (budgets.tables.page_ids).
    ("ledger_last", "officer_a"): 29,
    ("ledger_last_by_amount", "officer_a"): 29,
    ("drawdowns", "approver"): 12,
    ("drawdowns", "pm"): 12,
    ("drawdowns", "officer_a"): 12,
    ("award", "pm"): 21,
    ("award", "officer_a"): 21,
    ("awards", "pm"): 8,
    ("calendar", "pm"): 12,
}


def entries(program, award, count: int) -> None:
    """`count` entries on `award` of every kind the ledger page draws differently: an
    obligation, an expenditure paying it, a disbursement paying that, a drawdown, and a
    reversal of every fifth."""
    officer = program.officer_a

    def entry(kind, n, **fields):
        return LedgerEntry(
            award=award,
            kind=kind,
            amount=Decimal("10.00"),
            effective_date=date(2025, 1, 2) + timedelta(days=n % 120),
            actor=officer,
            idempotency_key=uuid.uuid4(),
            **fields,
        )

    made = 0
    while made < count:
        [drawn] = LedgerEntry.objects.bulk_create([entry("drawdown", made)])
        [obligation] = LedgerEntry.objects.bulk_create([entry("obligation", made, category="A")])
        [spent] = LedgerEntry.objects.bulk_create(
            [entry("expenditure", made, category="A", obligation=obligation)]
        )
        [paid] = LedgerEntry.objects.bulk_create([entry("disbursement", made, expenditure=spent)])
        LedgerEntry.objects.bulk_create([entry("drawdown", made + 1, reverses=drawn)])
        made += 5
    del paid
    ledger_days.rebuild([award.pk])


def requests(program, award, count: int) -> None:
    DrawdownRequest.objects.bulk_create(
        DrawdownRequest(
            award=award,
            amount=Decimal("5.00"),
            requested_on=date(2025, 1, 10),
            requested_by=program.officer_a,
            idempotency_key=uuid.uuid4(),
            review_reasons=["It is more than the award's immediate need."],
        )
        for _ in range(count)
    )


def grow(program, *, awards: int, per_award: int) -> None:
    """Active awards of task force A up to `awards` (award A the first), each with
    `per_award` ledger entries and a few drawdown requests."""
    have = list(Award.objects.filter(task_force=program.task_force_a, status="active"))
    while len(have) < awards:
        have.append(
            activate(
                program,
                factories.make_award(
                    program.pm,
                    task_force=program.task_force_a,
                    appropriation=program.appropriation,
                    amount="1000.00",
                ),
            )
        )
    for award in have:
        count = per_award - LedgerEntry.objects.filter(award=award).count()
        if count > 0:
            entries(program, award, count)
            requests(program, award, 3)


def url_of(page, program):
    number = program.award_a.award_number
    last = str(-(-LedgerEntry.objects.filter(award=program.award_a).count() // 25))
    return {
        "home": (reverse("home"), {"fy": "2025"}),
        "ledger": (reverse("budgets:award_ledger", args=[number]), {}),
        "ledger_by_amount": (
            reverse("budgets:award_ledger", args=[number]),
            {"sort": "-amount", "page": "2"},
        ),
        "ledger_last": (reverse("budgets:award_ledger", args=[number]), {"page": last}),
        "ledger_last_by_amount": (
            reverse("budgets:award_ledger", args=[number]),
            {"sort": "amount", "page": last},
        ),
        "drawdowns": (reverse("budgets:drawdown_queue"), {}),
        "award": (reverse("grants:award_detail", args=[number]), {}),
        "awards": (reverse("grants:award_list"), {}),
        "calendar": (reverse("reports:calendar"), {}),
    }[page]


@pytest.mark.parametrize(("page", "role"), list(PINNED))
def test_a_page_costs_the_same_queries_at_two_sizes(client, program, pin_today, page, role):
    pin_today(TODAY)
    activate(program)
    client.force_login(getattr(program, role))
    url, params = url_of(page, program)
    counts = []
    for awards, per_award in ((1, 5), (5, 200)):
        grow(program, awards=awards, per_award=per_award)
        if page == "ledger_by_amount" and per_award == 5:
            params = {"sort": "-amount"}
        else:
            params = url_of(page, program)[1]
        client.get(url, params)  # the session's first read of the day settles
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, params)
        assert response.status_code == 200, response
        counts.append(len(queries))
    assert counts == [PINNED[page, role]] * 2
