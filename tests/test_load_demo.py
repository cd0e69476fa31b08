from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from allocations.models import AllocationRun
from budgets.balances import awards_with_excess_cash
from budgets.models import BudgetModification, DrawdownRequest, LedgerEntry
from budgets.reconcile import reconcile_all
from grants.models import Amendment, Appropriation, Award, Hold, TaskForce
from grants.money import ZERO, MoneySum


@pytest.mark.slow
def test_load_demo_builds_the_program_and_is_safe_to_run_again(db):
    out = StringIO()
    call_command("load_demo", stdout=out)
    counts = (TaskForce.objects.count(), Appropriation.objects.count(), Award.objects.count())
    call_command("load_demo", stdout=StringIO())
    assert (
        TaskForce.objects.count(),
        Appropriation.objects.count(),
        Award.objects.count(),
    ) == counts
    assert counts[0] == 61

    opening = Appropriation.objects.get(fiscal_year=1998, name="ICAC Task Force Program")
    assert opening.amount == Decimal("25000000.00")
    assert opening.source_status == "program_description"
    assert Appropriation.objects.get(
        fiscal_year=2024, name="ICAC Task Force Program"
    ).amount == Decimal("39900000.00")
    assert Appropriation.objects.filter(fiscal_year=2010, source_status="estimate").exists()

    # Every award's approved budget adds up to the award.
    for award in Award.objects.all():
        budget = award.budget_versions.get(status="approved")
        assert (
            budget.lines.aggregate(t=MoneySum("federal_amount", default=ZERO))["t"]
            == award.federal_amount
        )
    # No appropriation is over-committed.
    for appropriation in Appropriation.objects.all():
        awarded = appropriation.funding_lines.aggregate(t=MoneySum("amount", default=ZERO))["t"]
        set_aside = appropriation.set_asides.aggregate(t=MoneySum("amount", default=ZERO))["t"]
        assert awarded + set_aside <= appropriation.amount

    # The money history: reversals, an award on hold, one holding excess cash, a pending
    # request, and ledgers that reconcile.
    assert LedgerEntry.objects.filter(reverses__isnull=False).exists()
    assert Hold.objects.filter(lifted_at__isnull=True).exists()
    assert DrawdownRequest.objects.filter(status="requested").count() == 1
    today = timezone.localdate()
    assert [
        a.task_force.code for a, _ in awards_with_excess_cash(Award.objects.all(), today=today)
    ] == ["ca-los-angeles"]
    assert reconcile_all()[1] == []
    call_command("check_ledgers", stdout=StringIO())

    # Budget changes: one applied at once, one waiting for a program manager; an extension.
    assert sorted(BudgetModification.objects.values_list("status", flat=True)) == [
        "applied",
        "requested",
    ]
    assert Amendment.objects.filter(kind="no_cost_extension", status="approved").count() == 1

    # This year's awards come from its published allocation, a draft scenario beside it.
    runs = {run.status: run for run in AllocationRun.objects.all()}
    assert sorted(runs) == ["draft", "published"] and AllocationRun.objects.count() == 2
    published = runs["published"]
    assert published.lines.aggregate(t=MoneySum("total", default=ZERO))["t"] == published.pool
    assert Award.objects.filter(allocation_line__run=published).count() == 61
    assert published.lines.filter(match_waived=True).count() == 1

    printed = out.getvalue()
    for username in ("pm", "approver", "auditor", "officer.la", "officer.ny", "gadmin.la", "admin"):
        assert f"  {username} " in printed
