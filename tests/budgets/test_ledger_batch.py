"""A ledger import posts many entries at once under the same rules as the form
(budgets.ledger_batch): the same entries, per-day totals and balances as posting the rows
one by one, the same refusals on the right line and field, all or nothing, nothing posted
twice, and a number of queries that does not grow with the rows."""

import uuid
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from budgets import ledger
from budgets.balances import award_balances, ledger_sums
from budgets.book import DatabaseBook, MemoryBook
from budgets.kinds import KINDS
from budgets.ledger_batch import BatchRow, RowError, import_key, post_batch
from budgets.ledger_days import LINES
from budgets.models import LedgerDay, LedgerEntry
from budgets.reconcile import reconcile_award
from budgets.services import LineInput
from grants.audit import AuditEvent
from grants.indirect_rates import rate_agreement_record
from grants.models import Amendment, AwardFunding, Hold
from grants.services import hold_place_by_system
from tests import factories
from tests.budgets.ledger_helpers import activate, draw

D = Decimal
TODAY = date(2025, 6, 30)


@pytest.fixture
def award(program):
    """$500,000 (the 10% rule applies: $50,000 may move), a match budget in Personnel,
    Equipment with $100; $40,000 of cash drawn on 01/10/2025."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="500000.00",
        lines=[
            LineInput("A", D("300000.00"), D("50000.00")),
            LineInput("C", D("199900.00")),
            LineInput("D", D("100.00")),
        ],
    )
    activate(program, award)
    award.refresh_from_db()
    draw(program, "40000.00", award=award, day=date(2025, 1, 10))
    return award


def row(line, reference, kind, amount, day, **fields):
    fields.setdefault("category", "A" if kind in ("obligation", "expenditure") else "")
    return BatchRow(
        line=line, reference=reference, kind=kind, amount=amount, effective_date=day, **fields
    )


VARIED = [
    row(2, "OB-1", "obligation", "10000.00", date(2025, 2, 1), memo="Contract 17"),
    row(3, "EX-1", "expenditure", "4000.00", date(2025, 2, 5), pays="OB-1"),
    row(
        4,
        "EX-2",
        "expenditure",
        "3000.00",
        date(2025, 2, 6),
        category="C",
        paid_on=date(2025, 2, 10),
    ),
    row(5, "DB-1", "disbursement", "2500.00", date(2025, 2, 12), pays="EX-1"),
    row(6, "PI-1", "program_income", "500.00", date(2025, 2, 15)),
    row(
        7,
        "MT-1",
        "expenditure",
        "1500.00",
        date(2025, 2, 20),
        share="recipient",
        in_kind_basis="volunteer_services",
        in_kind_description="60 hours at $25",
    ),
    row(8, "MT-2", "expenditure", "800.00", date(2025, 2, 21), share="recipient"),
    row(9, "DB-2", "disbursement", "800.00", date(2025, 2, 25), pays="MT-2"),
    # Back-dated before the rows above: checked as of its own date.
    row(10, "EX-3", "expenditure", "1000.00", date(2025, 1, 20), paid_on=date(2025, 1, 25)),
    row(11, "CR-1", "cash_returned", "100.00", date(2025, 3, 1), memo="Not needed"),
    row(12, "DB-3", "disbursement", "1500.00", date(2025, 3, 2), pays="EX-1"),
]


def post_one_by_one(program, award, rows, *, today=TODAY):
    """The rows through entry_post, in order: the entries, or each row's refusal."""
    found = {e.reference: e for e in LedgerEntry.objects.filter(award=award).exclude(reference="")}
    errors = []
    for r in rows:
        pays = KINDS[r.kind].pays if r.kind in KINDS else ""
        try:
            found[r.reference] = ledger.entry_post(
                actor=program.officer_a,
                award=award,
                kind=r.kind,
                amount=r.amount,
                effective_date=r.effective_date,
                idempotency_key=import_key(award, r.reference),
                category=r.category,
                share=r.share,
                memo=r.memo,
                paid_on=r.paid_on,
                in_kind_basis=r.in_kind_basis,
                in_kind_description=r.in_kind_description,
                reference=r.reference,
                today=today,
                **({pays: found[r.pays]} if r.pays else {}),
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                field = {"obligation": "pays", "expenditure": "pays", "__all__": ""}.get(
                    field, field
                )
                errors.extend(RowError(r.line, field, message) for message in messages)
    return errors


class Rollback(Exception):
    pass


def one_by_one(program, award, rows, what):
    """`what()` after posting the rows one by one, then rolled back."""
    result = {}
    with pytest.raises(Rollback), transaction.atomic():
        result["errors"] = post_one_by_one(program, award, rows)
        result["state"] = what()
        raise Rollback
    return result


def ledger_state(award):
    entries = [
        (
            e.kind,
            e.amount,
            e.effective_date,
            e.category,
            e.share,
            e.reference,
            e.memo if not e.memo.startswith("Payment of expenditure #") else "payment",
            e.obligation.reference if e.obligation else "",
            e.expenditure.reference if e.expenditure else "",
            e.in_kind_basis,
            e.in_kind_description,
            e.idempotency_key,
        )
        for e in LedgerEntry.objects.filter(award=award).exclude(kind="drawdown").order_by("pk")
    ]
    days = list(LedgerDay.objects.filter(award=award).order_by("day").values("day", *LINES))
    balances = [
        award_balances(award, as_of=day)
        for day in (date(2025, 1, 31), date(2025, 2, 11), date(2025, 2, 28), TODAY)
    ]
    basis = [b.on_basis("cash") for b in balances]
    actions = sorted(
        (a.action, a.data["after"].get("amount"))
        for a in AuditEvent.objects.filter(action__startswith="budgets.ledger.")
    )
    return entries, days, balances, basis, actions


def counts(award):
    return (
        LedgerEntry.objects.filter(award=award).count(),
        LedgerDay.objects.filter(award=award).count(),
        AuditEvent.objects.count(),
    )


def test_a_batch_posts_what_the_same_rows_posted_one_by_one_would(program, award):
    expected = one_by_one(program, award, VARIED, lambda: ledger_state(award))
    assert expected["errors"] == []

    result = post_batch(
        actor=program.officer_a, award=award, rows=VARIED, dry_run=False, today=TODAY
    )

    assert result.errors == [] and result.already_posted == []
    assert ledger_state(award) == expected["state"]
    # 11 rows, two with a date paid: 13 entries, in the file's order.
    assert [(e.reference, e.kind) for e in result.posted][:4] == [
        ("OB-1", "obligation"),
        ("EX-1", "expenditure"),
        ("EX-2", "expenditure"),
        ("", "disbursement"),
    ]
    assert len(result.posted) == 13
    payment = LedgerEntry.objects.get(expenditure__reference="EX-2")
    assert payment.memo == f"Payment of expenditure #{payment.expenditure_id}"
    assert result.balances_after == award_balances(award, as_of=TODAY)
    assert (result.balances_after.federal_expenditures, result.balances_after.disbursed) == (
        D("8000.00"),
        D("8000.00"),
    )
    assert reconcile_award(award) == []


def test_a_dry_run_writes_nothing_and_says_what_posting_would(program, award):
    before = counts(award)
    dry = post_batch(actor=program.officer_a, award=award, rows=VARIED, dry_run=True, today=TODAY)
    assert counts(award) == before
    assert all(e.pk is None for e in dry.posted)
    real = post_batch(actor=program.officer_a, award=award, rows=VARIED, dry_run=False, today=TODAY)
    fields = ("kind", "amount", "effective_date", "category", "share", "reference")
    assert [[getattr(e, f) for f in fields] for e in dry.posted] == [
        [getattr(e, f) for f in fields] for e in real.posted
    ]
    assert dry.balances_after == real.balances_after


def test_audit_events_name_the_import(program, award):
    post_batch(
        actor=program.officer_a,
        award=award,
        rows=VARIED[:2],
        dry_run=False,
        today=TODAY,
        via="Ledger import march.xlsx",
    )
    event = AuditEvent.objects.get(action="budgets.ledger.expenditure_posted")
    entry = LedgerEntry.objects.get(reference="EX-1")
    assert event.object_id == str(entry.pk) and event.actor == program.officer_a
    assert event.data == {
        "via": "Ledger import march.xlsx",
        "after": {
            "kind": "expenditure",
            "amount": "4000.00",
            "category": "A",
            "share": "federal",
            "effective_date": "2025-02-05",
            "obligation": LedgerEntry.objects.get(reference="OB-1").pk,
            "reference": "EX-1",
        },
    }


def bad_rows(reversed_reference):
    return [
        row(2, "DB-1", "disbursement", "30000.00", date(2025, 1, 15)),
        # Back-dated: $40,000 was on hand on the 12th, but only $10,000 from the 15th on.
        row(3, "DB-2", "disbursement", "15000.00", date(2025, 1, 12)),
        row(4, "EQ-1", "expenditure", "50200.00", date(2025, 2, 1), category="D"),
        row(5, "EQ-2", "expenditure", "50.00", date(2025, 2, 1), category="E"),
        row(6, "EX-1", "expenditure", "100.00", date(2025, 7, 1)),
        row(7, "EX-2", "expenditure", "100.00", date(2025, 2, 1), pays=reversed_reference),
        row(
            8,
            "EX-3",
            "expenditure",
            "100.00",
            date(2025, 2, 1),
            in_kind_basis="volunteer_services",
            in_kind_description="Ten hours",
        ),
        row(9, "EX-4", "expenditure", "100.00", date(2025, 2, 3), paid_on=date(2025, 2, 1)),
        row(10, "OB-1", "obligation", "500.00", date(2025, 2, 1)),
        row(11, "EX-5", "expenditure", "600.00", date(2025, 2, 2), pays="OB-1"),
        row(12, "EX-6", "expenditure", "12.345", date(2025, 2, 2)),
        row(13, "DR-1", "drawdown", "10.00", date(2025, 2, 2)),
        row(14, "IR-1", "interest_remitted", "10.00", date(2025, 2, 2)),
        row(15, "MT-1", "expenditure", "50.00", date(2025, 2, 2), category="C", share="recipient"),
        row(16, "EX-7", "expenditure", "12000.00", date(2025, 1, 16), paid_on=date(2025, 1, 16)),
        row(17, "OB-2", "obligation", "499600.00", date(2025, 3, 1)),
        row(18, "EX-8", "expenditure", "100.00", datetime(2025, 3, 1, 12, 0)),
    ]


def test_each_rule_refuses_a_row_with_entry_posts_message_and_nothing_is_written(program, award):
    obligation = ledger.entry_post(
        actor=program.officer_a,
        award=award,
        kind="obligation",
        amount="900.00",
        effective_date=date(2025, 1, 15),
        idempotency_key=uuid.uuid4(),
        category="A",
        reference="PO-9",
        today=TODAY,
    )
    ledger.entry_reverse(
        actor=program.officer_a,
        entry=obligation,
        reason="Cancelled",
        idempotency_key=uuid.uuid4(),
        effective_date=date(2025, 1, 20),
        today=TODAY,
    )
    rows = bad_rows("PO-9")
    # The form never sends a date and time: its refusal is the import's own.
    expected = one_by_one(program, award, rows[:-1], lambda: None)["errors"]
    before = counts(award)

    result = post_batch(actor=program.officer_a, award=award, rows=rows, dry_run=False, today=TODAY)

    assert result.errors == [*expected, RowError(18, "effective_date", "Enter a date.")]
    assert result.posted == [] and result.balances_after is None
    assert counts(award) == before
    assert {(e.line, e.field) for e in result.errors} == {
        (3, "amount"),
        (4, "amount"),
        (5, "category"),
        (6, "effective_date"),
        (7, "pays"),
        (8, "in_kind_basis"),
        (9, "paid_on"),
        (11, "amount"),
        (12, "amount"),
        (13, "kind"),
        (14, "memo"),
        (15, "category"),
        (16, "paid_on"),
        (17, "amount"),
        (18, "effective_date"),
    }
    messages = {(e.line, e.field): e.message for e in result.errors}
    assert messages[3, "amount"] == (
        "$15,000.00 is $5,000.00 more than the $10,000.00 of federal cash on hand."
    )
    assert messages[5, "category"] == "E. Supplies has no approved federal budget on this award."
    assert messages[6, "effective_date"] == "07/01/2025 is in the future."
    assert messages[7, "pays"] == "That obligation was reversed."
    assert messages[11, "amount"] == (
        "$600.00 is $100.00 more than the $500.00 still owed on that obligation."
    )
    assert "Propose a budget modification first." in messages[4, "amount"]
    # Invariant 2: more than the $500,000 awarded less what the lines before it committed.
    assert messages[17, "amount"].endswith("of federal funds not yet spent or obligated.")
    assert messages[16, "paid_on"].startswith(
        "Paying $12,000.00 on 01/16/2025 needs $2,000.00 more than the $10,000.00 of federal "
        "cash on hand."
    )


def test_file_errors_name_the_line_and_reference(program, award):
    rows = [
        row(2, "EX-1", "expenditure", "100.00", date(2025, 2, 1)),
        row(3, "EX-1", "expenditure", "200.00", date(2025, 2, 2)),
        row(4, "EX-2", "expenditure", "100.00", date(2025, 2, 3), pays="NOPE"),
        row(5, "", "expenditure", "100.00", date(2025, 2, 3)),
        row(6, "DB-1", "disbursement", "10.00", date(2025, 2, 3), pays="LATER"),
        row(7, "LATER", "expenditure", "10.00", date(2025, 2, 3)),
        row(8, "OB-1", "obligation", "10.00", date(2025, 2, 3), pays="EX-1"),
        row(9, "DB-2", "disbursement", "10.00", date(2025, 2, 3), pays="BAD"),
        row(10, "BAD", "expenditure", "10.00", date(2025, 2, 3), category="Z"),
        row(11, "DB-3", "disbursement", "10.00", date(2025, 2, 4), pays="BAD"),
        row(12, "DB-4", "disbursement", "10.00", date(2025, 2, 4), pays="PI-1"),
        row(13, "PI-1", "program_income", "10.00", date(2025, 2, 4)),
    ]
    result = post_batch(actor=program.officer_a, award=award, rows=rows, dry_run=True, today=TODAY)
    assert result.errors == [
        RowError(
            3,
            "reference",
            "Reference EX-1 is on line 2 and line 3; give each line its own reference.",
        ),
        RowError(
            4, "pays", "No entry with reference NOPE is on this award or earlier in the file."
        ),
        RowError(
            5,
            "reference",
            "Give the line its reference (the document or transaction number).",
        ),
        RowError(
            6, "pays", "No entry with reference LATER is on this award or earlier in the file."
        ),
        RowError(8, "pays", "An obligation pays no earlier entry: leave pays empty."),
        RowError(9, "pays", "No entry with reference BAD is on this award or earlier in the file."),
        RowError(10, "category", "Choose a budget category (A–J)."),
        RowError(11, "pays", "Line 10 (reference BAD), which this line pays, is refused."),
        RowError(
            12, "pays", "No entry with reference PI-1 is on this award or earlier in the file."
        ),
    ]


def test_posting_the_same_file_again_posts_nothing_twice(program, award):
    post_batch(actor=program.officer_a, award=award, rows=VARIED, dry_run=False, today=TODAY)
    before = counts(award)

    again = post_batch(
        actor=program.officer_a, award=award, rows=VARIED, dry_run=False, today=TODAY
    )

    assert again.errors == [] and again.posted == []
    assert again.already_posted == VARIED
    assert counts(award) == before
    # A new line paying one posted before is posted; the rest is already there.
    more = [*VARIED, row(20, "EX-9", "expenditure", "500.00", date(2025, 3, 3), pays="OB-1")]
    result = post_batch(actor=program.officer_a, award=award, rows=more, dry_run=False, today=TODAY)
    assert result.errors == [] and [e.reference for e in result.posted] == ["EX-9"]
    assert reconcile_award(award) == []


def test_a_changed_line_under_a_posted_reference_is_refused(program, award):
    post_batch(actor=program.officer_a, award=award, rows=VARIED[:2], dry_run=False, today=TODAY)
    posted = timezone.localdate(LedgerEntry.objects.get(reference="EX-1").posted_at)
    changed = [VARIED[0], row(3, "EX-1", "expenditure", "4100.00", date(2025, 2, 5), pays="OB-1")]
    result = post_batch(
        actor=program.officer_a, award=award, rows=changed, dry_run=False, today=TODAY
    )
    assert result.already_posted == [VARIED[0]]
    assert result.errors == [
        RowError(
            3,
            "reference",
            f"Reference EX-1 was posted on {posted:%m/%d/%Y} as an expenditure of $4,000.00 in "
            "A. Personnel (federal) dated 02/05/2025; reverse it to change it.",
        )
    ]


@pytest.mark.parametrize(
    "change",
    [{"pays": ""}, {"paid_on": date(2025, 2, 6)}],
    ids=["what it pays", "its date paid"],
)
def test_a_line_changed_only_in_what_it_pays_or_its_date_paid_is_not_passed_over(
    program, award, change
):
    # A corrected file must not be reported as already posted and its correction lost.
    post_batch(actor=program.officer_a, award=award, rows=VARIED[:2], dry_run=False, today=TODAY)
    before = counts(award)
    fields = {"pays": "OB-1", **change}
    changed = [VARIED[0], row(3, "EX-1", "expenditure", "4000.00", date(2025, 2, 5), **fields)]
    result = post_batch(
        actor=program.officer_a, award=award, rows=changed, dry_run=False, today=TODAY
    )
    assert result.already_posted == [VARIED[0]]
    assert [(e.line, e.field) for e in result.errors] == [(3, "reference")]
    assert counts(award) == before


def test_another_task_forces_officer_is_refused(program, award):
    before = counts(award)
    with pytest.raises(PermissionDenied):
        post_batch(actor=program.officer_b, award=award, rows=VARIED, dry_run=True, today=TODAY)
    assert counts(award) == before


def many_rows(count):
    """Obligations and expenditures paying them, one in five paid on its date: few enough
    entries (55 for 50 rows) for one INSERT on SQLite, whose statements take fewer
    parameters than PostgreSQL's."""
    rows = []
    for i in range(count):
        day = date(2025, 2, 1 + i % 28)
        if i % 2 == 0:
            rows.append(row(i, f"OB-{i}", "obligation", "100.00", day))
        else:
            paid_on = day if i % 10 == 1 else None
            rows.append(
                row(i, f"EX-{i}", "expenditure", "60.00", day, pays=f"OB-{i - 1}", paid_on=paid_on)
            )
    return rows


def test_the_number_of_queries_does_not_grow_with_the_rows(program, award):
    def queries(rows):
        with CaptureQueriesContext(connection) as captured, transaction.atomic():
            result = post_batch(
                actor=program.officer_a, award=award, rows=rows, dry_run=False, today=TODAY
            )
            assert result.errors == []
            transaction.set_rollback(True)
        return len(captured)

    ten, fifty = queries(many_rows(10)), queries(many_rows(50))
    assert ten == fifty
    assert fifty <= 40


def test_a_form_entry_may_carry_a_reference_unique_on_the_award(program, award):
    first = ledger.entry_post(
        actor=program.officer_a,
        award=award,
        kind="obligation",
        amount="100.00",
        effective_date=date(2025, 2, 1),
        idempotency_key=uuid.uuid4(),
        category="A",
        reference="  PO 12 ",
        today=TODAY,
    )
    assert first.reference == "PO 12"
    with pytest.raises(ValidationError) as refused:
        ledger.entry_post(
            actor=program.officer_a,
            award=award,
            kind="obligation",
            amount="100.00",
            effective_date=date(2025, 2, 1),
            idempotency_key=uuid.uuid4(),
            category="A",
            reference="PO 12",
            today=TODAY,
        )
    posted = timezone.localdate(first.posted_at)
    assert refused.value.message_dict == {
        "reference": [
            f"Reference PO 12 was posted on {posted:%m/%d/%Y} as an obligation of $100.00 in "
            "A. Personnel (federal) dated 02/01/2025; reverse it to change it."
        ]
    }
    with pytest.raises(ValidationError) as refused:
        ledger.entry_post(
            actor=program.officer_a,
            award=award,
            kind="obligation",
            amount="100.00",
            effective_date=date(2025, 2, 1),
            idempotency_key=uuid.uuid4(),
            category="A",
            reference="X" * 65,
            today=TODAY,
        )
    assert refused.value.message_dict == {
        "reference": ["Keep the reference to 64 characters or fewer."]
    }
    assert LedgerEntry.objects.filter(award=award, kind="obligation").count() == 1


@pytest.fixture
def indirect(program):
    """An award with indirect costs (J) under a de minimis rate, as in test_indirect."""
    award = factories.make_award(
        program.pm,
        task_force=program.task_force_a,
        appropriation=program.appropriation,
        amount="250000.00",
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


def test_indirect_costs_in_a_batch_stay_within_the_rate_as_on_the_form(program, indirect):
    rows = [
        row(2, "A-1", "expenditure", "10000.00", date(2024, 9, 15)),
        row(3, "D-1", "expenditure", "30000.00", date(2024, 9, 15), category="D"),
        row(4, "G-1", "expenditure", "30000.00", date(2024, 9, 20), category="G"),
        # 10% of a base of $10,000 plus the first $25,000 of the subaward: $3,500.
        row(5, "J-1", "expenditure", "3000.00", date(2024, 9, 30), category="J"),
        row(6, "J-2", "expenditure", "500.01", date(2024, 9, 30), category="J"),
        row(7, "J-3", "expenditure", "500.00", date(2024, 9, 29), category="J"),
        row(8, "A-2", "expenditure", "20000.00", date(2024, 10, 5)),
        # From 10/01/2024 a new rate period: 15% of $20,000.
        row(9, "J-4", "expenditure", "3000.01", date(2024, 10, 6), category="J"),
        row(10, "J-5", "expenditure", "3000.00", date(2024, 10, 6), category="J"),
    ]
    expected = one_by_one(program, indirect, rows, lambda: ledger_state(indirect))
    result = post_batch(
        actor=program.officer_a, award=indirect, rows=rows, dry_run=True, today=TODAY
    )
    assert result.errors == expected["errors"]
    assert [(e.line, e.field) for e in result.errors] == [(6, "amount"), (9, "amount")]
    assert "of indirect costs left under" in result.errors[0].message
    # Without the refused lines the rest posts as one by one.
    good = [r for r in rows if r.line not in (6, 9)]
    expected = one_by_one(program, indirect, good, lambda: ledger_state(indirect))
    result = post_batch(
        actor=program.officer_a, award=indirect, rows=good, dry_run=False, today=TODAY
    )
    assert result.errors == [] and ledger_state(indirect) == expected["state"]


def test_the_memory_book_answers_as_the_database_does(program, award):
    """Every question the rules ask, asked of a MemoryBook read once and of the database,
    on a ledger with back-dated entries and a supplement taking effect mid-way."""
    post_batch(actor=program.officer_a, award=award, rows=VARIED, dry_run=False, today=TODAY)
    supplement = Amendment.objects.create(
        award=award,
        number=1,
        kind=Amendment.Kind.SUPPLEMENT,
        status=Amendment.Status.APPROVED,
        description="More examiners",
        requested_on=date(2025, 2, 1),
        requested_by=program.pm,
        effective_on=date(2025, 2, 8),
    )
    AwardFunding.objects.create(
        award=award,
        appropriation=program.appropriation,
        amount=D("1000.00"),
        amendment=supplement,
    )
    days = [date(2025, 1, 1) + timedelta(days=n) for n in range(80)]
    memory, database = MemoryBook(award, days=days), DatabaseBook(award)
    for day in days:
        assert memory.lowest_from(day) == database.lowest_from(day), day
        assert memory.sums(as_of=day) == ledger_sums(award, as_of=day), day
    assert memory.balances(as_of=TODAY) == award_balances(award, as_of=TODAY)
    assert memory.committed() == database.committed()
    for categories in (["A"], ["A", "C"], ["J"]):
        for start, end in ((date(2025, 1, 1), date(2025, 2, 5)), (date(2025, 2, 6), TODAY)):
            assert memory.spent(categories, start, end) == database.spent(categories, start, end)
    entries = list(
        LedgerEntry.objects.filter(award=award, kind__in=["obligation", "expenditure"])
        .exclude(reference="")
        .select_related("reversed_by")
    )
    memory.know_unpaid(entries)
    assert [memory.unpaid(e) for e in entries] == [database.unpaid(e) for e in entries]


def test_a_batch_paying_out_the_old_cash_lifts_the_excess_cash_hold(program, award):
    hold_place_by_system(
        award=award,
        cause=Hold.Cause.EXCESS_CASH,
        reason="$40,000.00 of cash drawn more than 3 days ago is not disbursed or returned",
        placed_by="sync_excess_cash_holds",
    )
    rows = [
        row(2, "EX-1", "expenditure", "25000.00", date(2025, 2, 1), paid_on=date(2025, 2, 3)),
        row(3, "EX-2", "expenditure", "14000.00", date(2025, 2, 1), paid_on=date(2025, 2, 3)),
    ]
    post_batch(actor=program.officer_a, award=award, rows=rows, dry_run=False, today=TODAY)
    assert award.holds.filter(lifted_at__isnull=True).count() == 1  # $1,000 still held
    rows = [row(4, "CR-1", "cash_returned", "1000.00", date(2025, 2, 4), memo="Not needed")]
    post_batch(actor=program.officer_a, award=award, rows=rows, dry_run=False, today=TODAY)
    assert award.holds.filter(lifted_at__isnull=True).count() == 0
