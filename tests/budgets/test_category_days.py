"""The per-category totals (models.LedgerCategoryDay) behind budget against actual and
the 10% transfer rule: written with every entry, by the form, a reversal and an import,
they always equal what the entries add up to, and check_ledgers says when they do not."""

from datetime import date
from decimal import Decimal as D
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from budgets import ledger_days
from budgets.balances import budget_versus_actual, committed_by_category
from budgets.book import spent_between
from budgets.ledger_batch import BatchRow, post_batch
from budgets.models import LedgerCategoryDay
from budgets.reconcile import reconcile_award
from budgets.services import LineInput, budget_version_create
from tests.budgets.ledger_helpers import activate, draw, post, reverse_entry


def stored(award) -> list[tuple]:
    return list(
        LedgerCategoryDay.objects.filter(award=award)
        .order_by("day", "category")
        .values_list(
            "day",
            "category",
            "federal_expenditures",
            "recipient_expenditures",
            "obligated",
            "liquidated",
        )
    )


def test_posts_reversals_and_an_import_keep_the_category_totals_equal_to_the_entries(program):
    budget_version_create(
        actor=program.pm,
        award=program.award_a,
        approve=True,
        lines=[LineInput("A", D("120000.00"), D("50000.00")), LineInput("C", D("80000.00"))],
    )
    award = activate(program)
    draw(program, "5000.00", day=date(2025, 1, 10))
    obligation = post(program, "obligation", "900.00", day=date(2025, 1, 12), category="A")
    # An expenditure in C paying an obligation of A liquidates it in A.
    post(
        program, "expenditure", "300.00", day=date(2025, 1, 12), category="C", obligation=obligation
    )
    post(program, "expenditure", "200.00", day=date(2025, 1, 13), category="A")
    post(program, "expenditure", "50.00", day=date(2025, 1, 13), category="A", share="recipient")
    wrong = post(program, "expenditure", "40.00", day=date(2025, 1, 13), category="C")
    reverse_entry(program, wrong, effective_date=date(2025, 1, 20))
    result = post_batch(
        actor=program.officer_a,
        award=award,
        rows=[
            BatchRow(
                line=2,
                reference="IMP-1",
                kind="expenditure",
                amount=D("25.00"),
                effective_date=date(2025, 1, 13),
                category="A",
                share="federal",
            ),
            BatchRow(
                line=3,
                reference="IMP-2",
                kind="expenditure",
                amount=D("75.00"),
                effective_date=date(2025, 1, 21),
                category="C",
                share="federal",
            ),
        ],
        dry_run=False,
        today=date(2025, 1, 25),
    )
    assert result.errors == []

    assert stored(award) == [
        (date(2025, 1, 12), "A", D("0.00"), D("0.00"), D("900.00"), D("300.00")),
        (date(2025, 1, 12), "C", D("300.00"), D("0.00"), D("0.00"), D("0.00")),
        # 200 posted and 25 imported on the same day, and the match's 50.
        (date(2025, 1, 13), "A", D("225.00"), D("50.00"), D("0.00"), D("0.00")),
        (date(2025, 1, 13), "C", D("40.00"), D("0.00"), D("0.00"), D("0.00")),
        (date(2025, 1, 20), "C", D("-40.00"), D("0.00"), D("0.00"), D("0.00")),
        (date(2025, 1, 21), "C", D("75.00"), D("0.00"), D("0.00"), D("0.00")),
    ]
    rows = {r.category: r for r in budget_versus_actual(award, as_of=date(2025, 1, 20))}
    assert (rows["A"].spent_federal, rows["A"].spent_non_federal) == (D("225.00"), D("50.00"))
    assert rows["C"].spent_federal == D("300.00")  # the reversal counts from its own date
    rows = {r.category: r for r in budget_versus_actual(award, as_of=date(2025, 1, 19))}
    assert rows["C"].spent_federal == D("340.00")
    # Committed: A's obligation less what paid it, plus A's spending; C's spending.
    assert committed_by_category(award) == {"A": D("825.00"), "C": D("375.00")}
    assert spent_between(award, ["A", "C"], date(2025, 1, 13), date(2025, 1, 21)) == D("350.00")
    assert spent_between(award, ["A"], date.min, date.max, "recipient") == D("50.00")
    assert reconcile_award(award) == []

    # Rebuilt from the entries, the same rows.
    before = stored(award)
    LedgerCategoryDay.objects.all().delete()
    ledger_days.rebuild([award.pk])
    assert stored(award) == before


def test_check_ledgers_names_a_category_total_that_disagrees_with_the_entries(program):
    activate(program)
    post(program, "expenditure", "300.00", day=date(2025, 1, 12), category="C")
    call_command("check_ledgers", stdout=StringIO())
    LedgerCategoryDay.objects.filter(category="C").update(federal_expenditures=D("30.00"))
    err = StringIO()
    with pytest.raises(CommandError, match="problem"):
        call_command("check_ledgers", stdout=StringIO(), stderr=err)
    assert (
        f"{program.award_a.award_number}: category C totals for 01/12/2025 disagree with the "
        "entries: federal_expenditures $30.00 (entries: $300.00)"
    ) in err.getvalue()
