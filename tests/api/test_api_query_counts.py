"""The queries of each list endpoint, pinned: a page costs the same number whether the
list holds a few rows or many (no query per row), and the number itself does not creep."""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from budgets import ledger_days
from budgets.models import DrawdownRequest, LedgerEntry
from reports.models import MEASURES
from reports.services import progress_submit
from tests import factories
from tests.api.helpers import bearer
from tests.budgets.ledger_helpers import activate

# Queries per page, the token's look-up included (rate limits count in the cache).
PINNED = {
    "api:award_ledger": 7,
    "api:awards": 5,
    "api:drawdowns": 3,
    "api:progress_reports": 3,
    "api:reports_due": 9,  # FFATA reports add three: their filings, threshold, subawards
    "api:task_forces": 3,
}


def grow(program, name: str, size: int) -> None:
    """`size` more rows of the list `name` (reports due: awards owing them)."""
    award = program.award_a
    if name == "api:award_ledger":
        LedgerEntry.objects.bulk_create(
            LedgerEntry(
                award=award,
                kind="obligation",
                category="A",
                amount=Decimal("1.25"),
                effective_date=date(2025, 1, 1) + timedelta(days=n % 300),
                actor=program.officer_a,
                idempotency_key=uuid.uuid4(),
            )
            for n in range(size)
        )
        ledger_days.rebuild([award.pk])
    elif name == "api:drawdowns":
        DrawdownRequest.objects.bulk_create(
            DrawdownRequest(
                award=award,
                amount=Decimal("5.00"),
                requested_on=date(2025, 1, 10),
                requested_by=program.officer_a,
                idempotency_key=uuid.uuid4(),
            )
            for _ in range(size)
        )
    elif name in ("api:awards", "api:reports_due", "api:progress_reports"):
        for _ in range(size // 10 or 1):
            other = factories.make_award(
                program.pm,
                task_force=program.task_force_a,
                appropriation=program.appropriation,
                amount="1000.00",
            )
            activate(program, other)
            if name == "api:progress_reports":
                progress_submit(
                    actor=program.officer_a,
                    award=other,
                    period_end=date(2024, 12, 31),
                    narrative={"accomplishments": "Opened 12 investigations."},
                    measures={m: 1 for m, _ in MEASURES},
                    today=date(2025, 1, 20),
                )
    elif name == "api:task_forces":
        for n in range(size // 10 or 1):
            factories.make_task_force(f"Task force {n} {size}", f"tf-{n}-{size}")


def url_of(name, program):
    if name == "api:award_ledger":
        return reverse(name, args=[program.award_a.award_number])
    return reverse(name)


@pytest.mark.parametrize("name", list(PINNED))
def test_a_page_costs_the_same_queries_at_two_sizes(client, program, name):
    activate(program)
    headers = bearer(program.pm)
    url = url_of(name, program)
    client.get(url, **headers)  # the token's first use records when it was used
    counts = []
    for size in (10, 100):
        grow(program, name, size)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url, {"page_size": 100}, **headers)
        assert response.status_code == 200
        assert response.json()["results"]
        counts.append(len(queries))
    assert counts == [PINNED[name]] * 2
