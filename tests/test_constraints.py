"""The database refuses what the services refuse, even when code goes around them."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from budgets.models import BudgetLine
from grants.models import Appropriation, Award, AwardFunding, Hold, SetAside


def _refused(fn):
    with pytest.raises(IntegrityError), transaction.atomic():
        fn()


@pytest.mark.parametrize(
    "label, write",
    [
        (
            "zero appropriation",
            lambda p: Appropriation.objects.filter(pk=p.appropriation.pk).update(
                amount=Decimal("0")
            ),
        ),
        ("negative set-aside", lambda p: SetAside.objects.update(amount=Decimal("-1.00"))),
        ("zero funding line", lambda p: AwardFunding.objects.update(amount=Decimal("0.00"))),
        (
            # Zero is an award given back whole (docs/rules/deobligation.md); below is not.
            "negative award",
            lambda p: Award.objects.filter(pk=p.award_a.pk).update(federal_amount=Decimal("-0.01")),
        ),
        (
            "negative match",
            lambda p: Award.objects.filter(pk=p.award_a.pk).update(match_required=Decimal("-0.01")),
        ),
        (
            "period ends before start",
            lambda p: Award.objects.filter(pk=p.award_a.pk).update(period_end=date(2024, 9, 30)),
        ),
        ("unknown status", lambda p: Award.objects.filter(pk=p.award_a.pk).update(status="paid")),
        (
            "negative budget line",
            lambda p: BudgetLine.objects.update(federal_amount=Decimal("-5.00")),
        ),
        ("unknown category", lambda p: BudgetLine.objects.update(category="Z")),
        (
            "duplicate award number",
            lambda p: Award.objects.filter(pk=p.award_b.pk).update(
                award_number=p.award_a.award_number
            ),
        ),
        (
            "hold lifted before placed",
            lambda p: Hold.objects.create(
                award=p.award_a,
                reason="x",
                placed_at=datetime(2025, 1, 2, tzinfo=UTC),
                lifted_at=datetime(2025, 1, 1, tzinfo=UTC),
                lifted_by=p.pm,
            ),
        ),
    ],
)
def test_constraint_refuses(program, label, write):
    _refused(lambda: write(program))
