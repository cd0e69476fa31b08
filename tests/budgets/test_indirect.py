"""Category J spending against rate × MTDC base (docs/rules/indirect-costs.md#the-cap-on-indirect-costs)."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from budgets import ledger
from budgets.indirect import indirect_lines, mtdc_base
from budgets.models import LedgerDay, LedgerEntry
from budgets.services import LineInput
from grants.audit import AuditEvent
from grants.indirect_rates import rate_agreement_record
from grants.models import Award
from tests import factories
from tests.budgets.ledger_helpers import activate

D = Decimal


@pytest.fixture
def award(program):
    """Task force A's award across 2024-10-01, with a de minimis rate from 2024-07-01."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="250000.00",
        number="15PJDP-24-GK-00070-MECP",
        period_start=date(2024, 7, 1),
        period_end=date(2026, 6, 30),
        lines=[
            LineInput("A", D("150000.00"), D("10000.00")),
            LineInput("D", D("30000.00")),
            LineInput("G", D("50000.00")),
            LineInput("J", D("20000.00"), D("2000.00")),
        ],
    )
    activate(program, award)
    award.refresh_from_db()
    rate_agreement_record(
        actor=program.pm,
        recipient=award.recipient,
        rate_type="de_minimis",
        effective_from=date(2024, 7, 1),
    )
    return award


def spend(program, award, amount, day, category, **fields):
    return ledger.entry_post(
        actor=program.officer_a,
        award=award,
        kind="expenditure",
        amount=D(amount),
        effective_date=day,
        category=category,
        idempotency_key=uuid.uuid4(),
        today=date(2025, 6, 30),
        **fields,
    )


def written(award):
    """What a refusal must leave as it was; its own event (grants.refusals) is not counted."""
    return (
        LedgerEntry.objects.filter(award=award).count(),
        list(LedgerDay.objects.filter(award=award).values_list("federal_expenditures", flat=True)),
        AuditEvent.objects.exclude(action__endswith=".refused").count(),
    )


def test_indirect_costs_up_to_the_rate_of_the_day(program, award):
    """10% of the base until 09/30/2024, 15% from 10/01/2024; equipment is not in the base."""
    spend(program, award, "10000.00", date(2024, 9, 15), "A")
    spend(program, award, "30000.00", date(2024, 9, 15), "D")
    before = written(award)
    with pytest.raises(ValidationError) as refused:
        spend(program, award, "1000.01", date(2024, 9, 30), "J")
    assert refused.value.message_dict == {
        "amount": [
            "$1,000.01 is $0.01 more than the $1,000.00 of indirect costs left under the de "
            "minimis rate of 10% from 07/01/2024 to 09/30/2024: 10% of the $10,000.00 MTDC "
            "base is $1,000.00, and $0.00 is already charged."
        ]
    }
    assert written(award) == before
    spend(program, award, "1000.00", date(2024, 9, 30), "J")
    # From 10/01/2024 a new rate period: its own base, at 15%.
    with pytest.raises(ValidationError, match=r"\$1.00 more than the \$0.00 of indirect"):
        spend(program, award, "1.00", date(2024, 10, 1), "J")
    spend(program, award, "8000.00", date(2024, 10, 3), "A")
    spend(program, award, "2000.00", date(2024, 10, 3), "A", share="recipient")
    spend(program, award, "1000.00", date(2024, 10, 4), "J")
    with pytest.raises(ValidationError) as refused:
        spend(program, award, "600.00", date(2024, 10, 5), "J", share="recipient")
    assert refused.value.message_dict["amount"] == [
        "$600.00 is $100.00 more than the $500.00 of indirect costs left under the de minimis "
        "rate of 15% from 10/01/2024: 15% of the $10,000.00 MTDC base is $1,500.00, and "
        "$1,000.00 is already charged."
    ]
    spend(program, award, "500.00", date(2024, 10, 5), "J", share="recipient")


def test_no_rate_in_force_no_indirect_costs(program):
    """Task force B's recipient has no rate agreement."""
    other = factories.make_award(
        program.pm,
        task_force=program.task_force_b,
        appropriation=program.appropriation,
        amount="100000.00",
        lines=[LineInput("A", D("90000.00")), LineInput("J", D("10000.00"))],
    )
    Award.objects.filter(pk=other.pk).update(status=Award.Status.ACTIVE)
    other.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        ledger.entry_post(
            actor=program.officer_b,
            award=other,
            kind="expenditure",
            amount=D("10.00"),
            effective_date=date(2025, 1, 15),
            category="J",
            idempotency_key=uuid.uuid4(),
            today=date(2025, 6, 30),
        )
    assert refused.value.message_dict == {
        "category": [
            f"No indirect cost rate of {other.recipient} is in force on 01/15/2025; indirect "
            "costs are charged only under a rate agreement."
        ]
    }
    assert not LedgerEntry.objects.filter(award=other).exists()


def test_reversing_base_spending_under_indirect_costs_is_refused(program, award):
    personnel = spend(program, award, "10000.00", date(2024, 10, 3), "A")
    spend(program, award, "1500.00", date(2024, 10, 4), "J")
    before = written(award)
    with pytest.raises(ValidationError) as refused:
        ledger.entry_reverse(
            actor=program.officer_a,
            entry=personnel,
            reason="Charged to the wrong grant",
            idempotency_key=uuid.uuid4(),
            effective_date=date(2024, 10, 6),
            today=date(2025, 6, 30),
        )
    assert refused.value.messages == [
        "Reversing $10,000.00 would leave the $1,500.00 of indirect costs charged under the "
        "de minimis rate of 15% from 10/01/2024 $1,500.00 above the $0.00 the rate allows on "
        "the $0.00 MTDC base left; reverse indirect costs first."
    ]
    assert written(award) == before


def test_subawards_count_up_to_the_portion_in_force(program, award):
    """All category G spending is taken as one subaward: its first $50,000 is in the base."""
    spend(program, award, "30000.00", date(2024, 10, 10), "G")
    spend(program, award, "20000.00", date(2024, 11, 10), "G")
    assert mtdc_base(award, date(2024, 10, 1), date(2026, 6, 30)) == D("50000.00")


def test_sf425_line_11_rows_by_rate_period(program, award):
    spend(program, award, "10000.00", date(2024, 9, 15), "A")
    spend(program, award, "1000.00", date(2024, 9, 30), "J")
    spend(program, award, "20000.00", date(2025, 1, 15), "A")
    spend(program, award, "2999.99", date(2025, 1, 20), "J")
    rows = [row.as_json() for row in indirect_lines(award, as_of=date(2025, 3, 31))]
    assert rows == [
        {
            "type": "De minimis",
            "rate": "10.0000",
            "from": "2024-07-01",
            "to": "2024-09-30",
            "base": "10000.00",
            "charged": "1000.00",
            "federal": "1000.00",
        },
        {
            "type": "De minimis",
            "rate": "15.0000",
            "from": "2024-10-01",
            "to": "2026-06-30",
            "base": "20000.00",
            "charged": "3000.00",
            "federal": "2999.99",
        },
    ]
