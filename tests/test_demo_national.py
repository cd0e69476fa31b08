"""The demo at national scale (load_demo --national, demo/national.py), at a small scale:
each past award's ledger posted entry by entry through the rule-checked ledger import."""

from datetime import date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from budgets.balances import ledger_sums
from budgets.history_import import import_history
from budgets.models import LedgerEntry
from budgets.reconcile import reconcile_all
from demo.history import award_number, load_history
from demo.management.commands.load_demo import FIRST_COHORT, Command
from demo.national import NationalLedgers, plan_ledger
from grants.audit import AuditEvent
from grants.models import Award

TODAY = date(2026, 11, 30)


def _program():
    command = Command()
    pm = command.people()
    task_forces = command.task_forces()
    command.grant_administrators(task_forces)
    command.appropriations(pm)
    return pm, task_forces


def test_past_awards_get_ledgers_the_rules_and_check_ledgers_accept(db):
    pm, task_forces = _program()
    large = award_number(1999, 1)
    out = []
    ledgers = NationalLedgers(actor=pm, today=TODAY, scale=0.05, large=large, progress=out.append)
    made = load_history(
        actor=pm,
        task_forces=task_forces,
        first_cohort=FIRST_COHORT,
        until=1999,
        today=TODAY,
        progress=out.append,
        ledger_of=ledgers,
    )
    assert made == 10 + 61  # FY1999's first cohort and the Recovery Act's awards
    assert ledgers.awards == made
    assert out[0].startswith(f"  {large}: the large award, about 5,000 entries")
    assert out[1].startswith(
        "  FY1999 ICAC Task Force Program: 10 past awards closed with their final figures "
        "(10 of 71 awards, "
    )
    entries = LedgerEntry.objects.exclude(kind="deobligation")
    assert entries.count() == ledgers.entries
    big = Award.objects.get(award_number=large)
    assert 4_000 < LedgerEntry.objects.filter(award=big).count() < 6_000
    for award in Award.objects.filter(fiscal_year=1999):
        assert award.status == Award.Status.CLOSED
        sums = ledger_sums(award)
        # Every dollar spent was drawn and paid out; the rest went back at closeout.
        assert sums["drawn"] == sums["federal_expenditures"] == award.federal_amount
        assert sums["federal_paid"] == sums["federal_expenditures"]
        assert set(LedgerEntry.objects.filter(award=award).values_list("kind", flat=True)) >= {
            "obligation",
            "expenditure",
            "disbursement",
            "drawdown",
            "deobligation",
        }
    # Invented, and said to be.
    assert (
        not entries.exclude(memo__contains="(demonstration history)")
        .exclude(memo__startswith="Payment of expenditure")
        .exists()
    )
    # Each entry has its audit event, through the import's path.
    posted = AuditEvent.objects.filter(
        action__startswith="budgets.ledger.", action__endswith="_posted"
    )
    assert (
        posted.exclude(action="budgets.ledger.deobligation_posted").count()
        == ledgers.entries - ledgers.reversals
    )
    assert ledgers.reversals == LedgerEntry.objects.filter(reverses__isnull=False).count()
    assert reconcile_all()[1] == []
    call_command("check_ledgers", stdout=StringIO())
    call_command("verify_audit", stdout=StringIO())


def test_a_row_breaking_a_rule_refuses_the_award_and_nothing_is_posted(db):
    pm, task_forces = _program()
    rows = []

    def one_rule_broken(award, past):
        draws, batch, _ = plan_ledger(past, entries=30)
        # An expenditure paid before the quarter's cash arrives: more than the cash on hand.
        bad = batch[1]
        batch[1] = type(bad)(
            **{**bad.__dict__, "paid_on": past.period_start, "effective_date": past.period_start}
        )
        rows.append(batch[1])
        NationalLedgers(actor=pm, today=TODAY)  # (the builder's own checks are the same path)
        from budgets.ledger_batch import post_batch, post_past_drawdowns
        from demo.ledger import finance_officer

        post_past_drawdowns(actor=pm, award=award, draws=draws[1:], memo="Cash", today=TODAY)
        result = post_batch(
            actor=finance_officer(award), award=award, rows=batch, dry_run=False, today=TODAY
        )
        assert result.errors and result.errors[0].field == "paid_on"
        raise ValidationError(result.errors[0].message)

    from demo.history import YearPlan, past_awards, task_forces_in
    from grants.models import Appropriation

    appropriation = Appropriation.objects.get(fiscal_year=1999, name="ICAC Task Force Program")
    plan = YearPlan(
        1999,
        appropriation,
        task_forces_in(1999, list(task_forces.values()), FIRST_COHORT)[:1],
        award_number,
        "FY1999",
    )
    from budgets.upload_rows import ImportRefused

    with pytest.raises(ImportRefused):
        import_history(
            actor=pm,
            awards=past_awards(plan),
            filename="f",
            dry_run=False,
            today=TODAY,
            ledger_of=one_rule_broken,
        )
    assert not Award.objects.filter(fiscal_year=1999).exists()
    assert not LedgerEntry.objects.exists()
    assert Decimal(0) < rows[0].amount
