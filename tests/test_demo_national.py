"""The demo at national scale (load_demo --national, demo/national.py), at a small scale:
each past award's ledger posted entry by entry through the rule-checked ledger import."""

from dataclasses import replace
from datetime import date, timedelta
from decimal import Decimal
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from budgets.balances import ledger_sums, liquidation_end
from budgets.history_import import import_history
from budgets.ledger_batch import BatchRow, post_batch, post_past_drawdowns
from budgets.models import Category, LedgerEntry
from budgets.reconcile import reconcile_all
from budgets.upload_rows import ImportRefused
from demo.history import YearPlan, award_number, load_history, past_awards, task_forces_in
from demo.management.commands.load_demo import FIRST_COHORT, Command
from demo.national import NationalLedgers, plan_ledger
from grants.audit import AuditEvent
from grants.models import Appropriation, Award
from grants.money import format_money

TODAY = date(2026, 11, 30)


def _program():
    command = Command()
    pm = command.people()
    task_forces = command.task_forces()
    command.grant_administrators(task_forces)
    command.appropriations(pm)
    return pm, task_forces


@pytest.mark.slow
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


def _first_cohort_file(task_forces):
    appropriation = Appropriation.objects.get(fiscal_year=1999, name="ICAC Task Force Program")
    listed = task_forces_in(1999, list(task_forces.values()), FIRST_COHORT)[:2]
    return past_awards(YearPlan(1999, appropriation, listed, award_number, "FY1999 (demo)"))


def test_a_planted_row_breaking_a_rule_refuses_the_award_and_nothing_is_posted(db):
    pm, task_forces = _program()
    ledgers = NationalLedgers(actor=pm, today=TODAY, scale=0.05)
    planted = []

    def with_a_bad_row(award, past):
        # The builder's own rows, with the first payroll paid a day before the period
        # starts: the ledger import refuses it as it would a recipient's file.
        draws, rows, _ = plan_ledger(past, entries=40)
        bad = next(i for i, row in enumerate(rows) if row.reference.startswith("PAY-"))
        rows[bad] = replace(rows[bad], paid_on=past.period_start - timedelta(days=1))
        planted.append(rows[bad].line)
        post_past_drawdowns(actor=pm, award=award, draws=draws, memo="Cash", today=TODAY)
        result = post_batch(
            actor=ledgers._officer(award), award=award, rows=rows, dry_run=False, today=TODAY
        )
        assert [(e.line, e.field) for e in result.errors] == [(rows[bad].line, "paid_on")]
        raise ValidationError({"amount": result.errors[0].message})

    with pytest.raises(ImportRefused) as refused:
        import_history(
            actor=pm,
            awards=_first_cohort_file(task_forces),
            filename="planted.csv",
            dry_run=False,
            today=TODAY,
            ledger_of=with_a_bad_row,
        )
    assert "The date paid cannot be before the date incurred." in str(refused.value.errors[0])
    assert planted
    assert not Award.objects.filter(fiscal_year=1999).exists()
    assert not LedgerEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__startswith="budgets.ledger.").exists()


def test_a_ledger_short_of_the_final_figure_is_refused(db):
    pm, task_forces = _program()
    ledgers = NationalLedgers(actor=pm, today=TODAY, scale=0.05)

    def one_cent_short(award, past):
        draws, rows, _ = plan_ledger(past, entries=40)
        last = max(i for i, row in enumerate(rows) if row.kind == "expenditure")
        rows[last] = replace(rows[last], amount=rows[last].amount - Decimal("0.01"))
        post_past_drawdowns(actor=pm, award=award, draws=draws, memo="Cash", today=TODAY)
        post_batch(
            actor=ledgers._officer(award), award=award, rows=rows, dry_run=False, today=TODAY
        )

    message = _refused_with(pm, task_forces, one_cent_short)
    assert "federal expenditures, not the" in message


def test_cash_drawn_beyond_the_funds_authorized_is_refused(db):
    pm, task_forces = _program()
    refused_draw = []

    def too_much_cash(award, past):
        try:
            post_past_drawdowns(
                actor=pm,
                award=award,
                draws=[(past.period_start, past.federal_amount + Decimal("0.01"))],
                memo="Cash",
                today=TODAY,
            )
        except ValidationError as error:
            refused_draw.append(error.message_dict["paid_on"][0])
            raise

    _refused_with(pm, task_forces, too_much_cash)
    assert "more than the" in refused_draw[0]
    assert "of the funds authorized not yet drawn" in refused_draw[0]


def test_a_draw_after_the_liquidation_period_is_refused(db):
    pm, task_forces = _program()
    refused_draw = []

    def cash_drawn_decades_late(award, past):
        draws, _, _ = plan_ledger(past, entries=12)
        late = date(2026, 1, 5)  # a FY1999 award's liquidation period ended long before
        try:
            post_past_drawdowns(
                actor=pm,
                award=award,
                draws=[*draws, (late, Decimal("1.00"))],
                memo="Cash",
                today=TODAY,
            )
        except ValidationError as error:
            refused_draw.append((error.message_dict["paid_on"][0], liquidation_end(award)))
            raise

    _refused_with(pm, task_forces, cash_drawn_decades_late)
    message, end = refused_draw[0]
    assert end < date(2026, 1, 5)
    assert message == (
        f"Drawn on 01/05/2026, after the liquidation period of award "
        f"{award_number(1999, 1)} ended on {end:%m/%d/%Y}; no more cash can be drawn."
    )


def _refused_with(pm, task_forces, builder):
    with pytest.raises(ImportRefused) as refused:
        import_history(
            actor=pm,
            awards=_first_cohort_file(task_forces)[:1],
            filename="settled.csv",
            dry_run=False,
            today=TODAY,
            ledger_of=builder,
        )
    assert not LedgerEntry.objects.exists()
    assert not Award.objects.filter(fiscal_year=1999).exists()
    return str(refused.value.errors[0])


def test_a_ledger_leaving_cash_on_hand_is_refused(db):
    pm, task_forces = _program()
    ledgers = NationalLedgers(actor=pm, today=TODAY, scale=0.05)
    unpaid = []

    def one_check_not_written(award, past):
        draws, rows, _ = plan_ledger(past, entries=40)
        check = next(row for row in rows if row.kind == "disbursement")
        unpaid.append(Decimal(check.amount))
        post_past_drawdowns(actor=pm, award=award, draws=draws, memo="Cash", today=TODAY)
        post_batch(
            actor=ledgers._officer(award),
            award=award,
            rows=[row for row in rows if row is not check],
            dry_run=False,
            today=TODAY,
        )

    message = _refused_with(pm, task_forces, one_check_not_written)
    past = _first_cohort_file(task_forces)[0]
    left = format_money(unpaid[0])
    assert (
        f"The ledger posted leaves {left} of federal cash on hand "
        f"({format_money(past.expended)} drawn, {format_money(past.expended - unpaid[0])} "
        "disbursed): a closed award has none." in message
    )


def test_a_ledger_with_an_unliquidated_obligation_is_refused(db):
    pm, task_forces = _program()
    ledgers = NationalLedgers(actor=pm, today=TODAY, scale=0.05)

    def an_order_never_delivered(award, past):
        draws, rows, _ = plan_ledger(past, entries=40)
        order = BatchRow(
            line=len(rows) + 2,
            reference="PO-OPEN",
            kind="obligation",
            amount=Decimal("250.00"),
            effective_date=past.period_start,
            category=Category.OTHER,
        )
        post_past_drawdowns(actor=pm, award=award, draws=draws, memo="Cash", today=TODAY)
        post_batch(
            actor=ledgers._officer(award),
            award=award,
            rows=[*rows, order],
            dry_run=False,
            today=TODAY,
        )

    message = _refused_with(pm, task_forces, an_order_never_delivered)
    assert (
        "The ledger posted leaves $250.00 of unliquidated obligations: a closed award has none."
        in message
    )
