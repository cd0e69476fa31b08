"""Migration budgets 0009: an expenditure's stored date paid becomes its payment, and a
payment already typed as a disbursement is linked rather than counted twice."""

import uuid
from datetime import date
from decimal import Decimal

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from budgets.balances import award_balances
from budgets.models import LedgerDay, LedgerEntry
from budgets.reconcile import reconcile_award
from grants.audit import AuditEvent
from grants.models import Award

BEFORE = [("budgets", "0008_cash_returned")]
D = Decimal


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def program(committed_program):
    """Committed: the test's other connections see the records."""
    return committed_program


@pytest.fixture
def latest_schema_after():
    """Whatever the test migrates to, the database ends on the latest migrations."""
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


def writer(model, award_id, actor_id):
    """Writes entries as the ledger stood before 0009, straight into the table."""

    def entry(kind, amount, day, **fields):
        return model.objects.create(
            award_id=award_id,
            kind=kind,
            amount=D(amount),
            effective_date=day,
            actor_id=actor_id,
            idempotency_key=uuid.uuid4(),
            category="A" if kind == "expenditure" else "",
            **fields,
        )

    return entry


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_dates_paid_become_payments_without_counting_a_dollar_twice(program, latest_schema_after):
    award_id = program.award_a.pk
    old = migrate(BEFORE)
    Entry = old.get_model("budgets", "LedgerEntry")
    entry = writer(Entry, award_id, program.officer_a.pk)

    entry("drawdown", "5000.00", date(2025, 1, 10))
    # Typed twice: the date paid, and a disbursement of the same amount that day.
    twice = entry("expenditure", "1200.00", date(2025, 1, 12), paid_on=date(2025, 1, 15))
    typed = entry("disbursement", "1200.00", date(2025, 1, 15))
    # Typed once: only the date paid.
    once = entry("expenditure", "800.00", date(2025, 1, 20), paid_on=date(2025, 1, 31))
    # Reversed: it counted for nothing, and gets no payment.
    gone = entry("expenditure", "50.00", date(2025, 1, 20), paid_on=date(2025, 1, 21))
    entry("expenditure", "50.00", date(2025, 1, 22), reverses=gone)
    # Never paid.
    entry("expenditure", "300.00", date(2025, 2, 1))

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())  # 0009 and on
    payments = LedgerEntry.objects.filter(kind="disbursement").order_by("pk")
    assert [(p.pk == typed.pk, p.expenditure_id, p.amount, p.effective_date) for p in payments] == [
        (True, twice.pk, D("1200.00"), date(2025, 1, 15)),
        (False, once.pk, D("800.00"), date(2025, 1, 31)),
    ]
    assert LedgerDay.objects.filter(award_id=award_id).exists()
    award = Award.objects.get(pk=award_id)
    b = award_balances(award, as_of=date.max)
    assert (b.disbursed, b.cash_on_hand, b.totals["federal_paid"]) == (
        D("2000.00"),
        D("3000.00"),
        D("2000.00"),
    )
    assert reconcile_award(award) == []

    # And back: the dates paid return, the linked disbursement stands on its own again.
    old = migrate(BEFORE)
    Entry = old.get_model("budgets", "LedgerEntry")
    assert dict(Entry.objects.filter(kind="expenditure").values_list("pk", "paid_on")) == {
        twice.pk: date(2025, 1, 15),
        once.pk: date(2025, 1, 31),
        gone.pk: None,  # counted for nothing, and not kept
        gone.pk + 1: None,
        gone.pk + 2: None,
    }
    assert list(Entry.objects.filter(kind="disbursement").values_list("pk", flat=True)) == [
        typed.pk
    ]


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_a_reimbursement_typed_apart_is_re_recorded_as_the_payments_it_made(
    program, latest_schema_after
):
    """Costs paid from the general fund with their dates paid, then one drawdown and one
    disbursement for the quarter: the disbursement becomes their payments, cash out stays
    as it was on every day, and a date paid that no federal cash could have covered is
    left unpaid and named in the audit trail."""
    award_id = program.award_a.pk
    entry = writer(
        migrate(BEFORE).get_model("budgets", "LedgerEntry"), award_id, program.officer_a.pk
    )
    january = entry("expenditure", "1000.00", date(2025, 1, 20), paid_on=date(2025, 1, 31))
    february = entry("expenditure", "500.00", date(2025, 2, 20), paid_on=date(2025, 2, 28))
    entry("drawdown", "1600.00", date(2025, 3, 31))
    reimbursed = entry("disbursement", "1600.00", date(2025, 3, 31), memo="Reimbursed general fund")
    april = entry("expenditure", "700.00", date(2025, 4, 20), paid_on=date(2025, 4, 30))

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    rows = LedgerEntry.objects.filter(kind="disbursement").order_by("pk")
    assert [(r.reverses_id, r.expenditure_id, r.amount, r.effective_date) for r in rows] == [
        (None, None, D("1600.00"), date(2025, 3, 31)),  # as typed, now reversed
        (reimbursed.pk, None, D("1600.00"), date(2025, 3, 31)),
        (None, january.pk, D("1000.00"), date(2025, 3, 31)),
        (None, february.pk, D("500.00"), date(2025, 3, 31)),
        (None, None, D("100.00"), date(2025, 3, 31)),  # the rest, paying nothing
    ]
    award = Award.objects.get(pk=award_id)
    cash_out = lambda day: award_balances(award, as_of=day).disbursed  # noqa: E731
    assert [cash_out(date(2025, 3, 30)), cash_out(date(2025, 3, 31)), cash_out(date.max)] == [
        D("0.00"),
        D("1600.00"),
        D("1600.00"),
    ]
    assert not LedgerEntry.objects.filter(expenditure_id=april.pk).exists()
    event = AuditEvent.objects.get(action="budgets.ledger.dates_paid_migrated")
    assert event.data["left_unpaid"] == [
        {"expenditure": april.pk, "amount": "700.00", "date_paid": "2025-04-30"}
    ]
    assert event.data["re_recorded"] == [reimbursed.pk]
    assert reconcile_award(award) == []
