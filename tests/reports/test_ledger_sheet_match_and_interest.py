"""The ledger sheet carries in-kind contributions and totals interest on advances
(docs/rules/cash-and-ledger.md#in-kind-match, #interest-on-advances)."""

import uuid
from datetime import date
from decimal import Decimal

from django.urls import reverse

from budgets import ledger
from budgets.services import LineInput
from tests import factories
from tests.budgets.ledger_helpers import activate
from tests.reports.prepared_helpers import fetch_prepared
from tests.reports.workbook_helpers import data_rows, labelled_totals, open_workbook

D = Decimal
TODAY = date(2025, 12, 31)


def test_the_ledger_sheet_shows_in_kind_match_and_totals_interest(program, client):
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="400000.00",
        match_required=D("100000.00"),
        lines=[LineInput("A", D("400000.00"), D("100000.00"))],
    )
    award = activate(program, award)

    def post(kind, amount, **fields):
        return ledger.entry_post(
            actor=program.officer_a,
            award=award,
            kind=kind,
            amount=D(amount),
            effective_date=date(2025, 2, 14),
            idempotency_key=uuid.uuid4(),
            today=TODAY,
            **fields,
        )

    post(
        "expenditure",
        "3780.00",
        category="A",
        share="recipient",
        in_kind_basis="volunteer_services",
        in_kind_description="=120 hours at $31.50",
    )
    post("interest_earned", "812.40")
    post("interest_remitted", "312.40", memo="ACH trace 0421")
    client.force_login(program.auditor)
    wb = open_workbook(
        fetch_prepared(client, reverse("exports:award_workbook", args=[award.award_number]))
    )
    ws = wb["Ledger"]
    headers = [c.value for c in ws[1]]
    rows = [dict(zip(headers, row, strict=False)) for row in data_rows(ws)]
    in_kind = next(r for r in rows if r["Kind"] == "Expenditure")
    # The description is text, never a formula, however it starts.
    assert (in_kind["In kind, valued as"], in_kind["In-kind contribution"]) == (
        "Volunteer services, at rates paid for similar work",
        "=120 hours at $31.50",
    )
    quoted = [c for row in ws.iter_rows() for c in row if c.value == "=120 hours at $31.50"]
    assert [(c.data_type, c.quotePrefix) for c in quoted] == [("s", True)]
    totals = labelled_totals(ws)
    assert (totals["Interest earned"], totals["Interest remitted"]) == (
        D("812.40"),
        D("312.40"),
    )
    assert totals["Recipient expenditures (10j)"] == D("3780.00")
