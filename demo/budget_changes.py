"""Demo budget changes and an extension: one modification applied at once, one waiting
for a program manager, one approved no-cost extension. Safe to run again."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User

from budgets.balances import committed_by_category
from budgets.models import BudgetModification
from budgets.modifications import budget_modification_propose
from budgets.services import LineInput
from demo.ledger import finance_officer
from grants.amendments import add_months, extension_decide, extension_limits, extension_request
from grants.models import Amendment, Award
from grants.money import round_money


def _moved(award: Award, source: str, target: str, amount: Decimal) -> list[LineInput]:
    lines = {
        line.category: LineInput(
            line.category, line.federal_amount, line.non_federal_amount, line.narrative
        )
        for line in award.budget_versions.current().lines.all()
    }
    out = lines[source]
    lines[source] = LineInput(
        source, out.federal_amount - amount, out.non_federal_amount, out.narrative
    )
    into = lines.get(target, LineInput(target, narrative="Secure evidence room fit-out"))
    lines[target] = LineInput(
        target, into.federal_amount + amount, into.non_federal_amount, into.narrative
    )
    return list(lines.values())


def budget_changes(*, year: int, today: date) -> None:
    award = Award.objects.filter(
        fiscal_year=year, task_force__code="ca-los-angeles", status=Award.Status.ACTIVE
    ).first()
    if award is not None and not BudgetModification.objects.filter(award=award).exists():
        officer = finance_officer(award)
        # 3% of the award, or what Equipment has not yet spent or obligated if less.
        budgeted = award.budget_versions.current().lines.get(category="D").federal_amount
        unspent = budgeted - committed_by_category(award).get("D", Decimal("0"))
        shift = min(round_money(award.federal_amount * Decimal("0.03")), unspent // 100 * 100)
        budget_modification_propose(
            actor=officer,
            award=award,
            lines=_moved(award, "D", "A", shift),
            today=today,
            justification="A fourth forensic examiner instead of a second extraction kit",
        )
        budget_modification_propose(
            actor=officer,
            award=award,
            lines=_moved(award, "I", "F", Decimal("12000.00")),
            today=today,
            justification="Build a secure evidence room (construction had no budget)",
        )
    extended = Award.objects.filter(
        fiscal_year=year, task_force__code="ny-new-york-state", status=Award.Status.ACTIVE
    ).first()
    if (
        extended is not None
        and not extended.amendments.filter(kind=Amendment.Kind.NO_COST_EXTENSION).exists()
    ):
        last_day_to_ask, _ = extension_limits(extended, on=today)
        if today <= last_day_to_ask:
            request = extension_request(
                actor=finance_officer(extended),
                award=extended,
                new_end=add_months(extended.period_end, 6),
                reason="Two prosecutions delayed; forensic backlog",
                today=today,
            )
            extension_decide(
                actor=User.objects.get(username="pm"), amendment=request, approve=True, today=today
            )
