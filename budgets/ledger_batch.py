"""Posting many ledger entries at once: a finance officer's import of a month or a year of
spending from the task force's accounting system (docs/rules/cash-and-ledger.md#imports).

Every row is checked by the same rules as an entry posted on the form
(ledger.checked_entry), in the file's order, as of its own date. The rules read the award
through a budgets.book.MemoryBook: the award is locked once and read once, and each
accepted row is counted in the running balances the next row is checked against. So
the whole file costs a fixed number of queries, then one insert per thousand entries,
per-day totals and audit events.

All or nothing: one bad row and nothing is written; the result lists every bad row found
(a refused row is left out of the balances the later rows are checked against). Each row
carries the recipient's own reference, unique on the award, so uploading the same file
again posts nothing twice.
"""

import uuid
from collections.abc import Sequence
from contextlib import nullcontext
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from budgets import cash_holds
from budgets.balances import Balances
from budgets.book import MemoryBook
from budgets.kinds import KINDS
from budgets.ledger import (
    REFERENCE_LENGTH,
    _amount,
    _check_open_for_money,
    checked_entry,
    payment_entry,
    payment_event,
    payment_memo,
    posted_event,
    recordable_kind,
    reference_taken,
)
from budgets.ledger_days import LINES, add_entries
from budgets.models import LedgerDay, LedgerEntry
from grants import access
from grants.audit import audit_record_many, audit_via
from grants.bulk import insert_many
from grants.duties import lock_award
from grants.models import Award
from grants.money import format_money
from grants.refusals import refusal_audited
from grants.text import clean_text

# Imported entries' idempotency keys: uuid5 of this and "<award pk>:<reference>".
IMPORT_NAMESPACE = uuid.UUID("5d0c7a51-3f7e-4b1e-9a43-6c1f0e2b8d21")
# A person fixes a file from the first errors; past this many the rest are not looked for.
MAX_ERRORS = 200
# Rows written per INSERT.
BATCH_SIZE = 1000
# The ValidationError keys of ledger.checked_entry that are not BatchRow fields.
ROW_FIELDS = {"obligation": "pays", "expenditure": "pays", NON_FIELD_ERRORS: ""}


@dataclass(frozen=True)
class BatchRow:
    line: int  # the file's row number, used in messages
    reference: str  # the recipient's own id for the line; required, unique per award
    kind: str  # a recordable kind code (budgets.ledger.RECORDABLE_KINDS)
    amount: str | Decimal
    effective_date: date
    category: str = ""
    share: str = "federal"
    memo: str = ""
    paid_on: date | None = None
    # The reference of the entry this one pays (an expenditure paying an obligation, a
    # disbursement an expenditure), earlier in the file or already on the award's ledger.
    pays: str = ""
    in_kind_basis: str = ""
    in_kind_description: str = ""


@dataclass(frozen=True)
class RowError:
    line: int
    field: str  # the BatchRow field name, or "" for the whole row
    message: str  # the same message entry_post would give


@dataclass
class BatchResult:
    # Entries written (on a dry run, that would be written: unsaved instances), in the
    # file's order, each expenditure's payment on its date paid right after it.
    posted: list[LedgerEntry] = field(default_factory=list)
    # Rows whose reference is already on the ledger with the same values: nothing posted.
    already_posted: list[BatchRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    # The award's balances as of `today` after posting (None when refused).
    balances_after: Balances | None = None


def import_key(award: Award, reference: str) -> uuid.UUID:
    """The idempotency key of the entry imported under `reference` on `award`."""
    return uuid.uuid5(IMPORT_NAMESPACE, f"{award.pk}:{reference}")


@transaction.atomic
def post_batch(
    *,
    actor,
    award: Award,
    rows: Sequence[BatchRow],
    dry_run: bool,
    today: date | None = None,
    via: str = "",
) -> BatchResult:
    """Post `rows` to `award` in their order, all or nothing, or with `dry_run` say what
    would be posted without writing anything. Permission and the award's status are
    checked as by ledger.entry_post (PermissionDenied; ValidationError for an award not
    open for money); a refused row is a RowError in the result. `via` names the import in
    the audit events (grants.audit.audit_via)."""
    award = lock_award(award.pk)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record spending.",
    )
    _check_open_for_money(award)
    today = today or timezone.localdate()
    existing = _existing(award, rows)
    book = MemoryBook(
        award,
        days={day for row in rows for day in (row.effective_date, row.paid_on) if _is_day(day)},
    )
    book.know_unpaid(
        [entry for entry in existing.values() if entry.kind in ("obligation", "expenditure")]
    )
    result = BatchResult()
    posting = _Posting(actor, award, book, existing, today)
    for row in rows:
        if len(result.errors) >= MAX_ERRORS:
            break
        try:
            posted = posting.row(row)
        except ValidationError as error:
            result.errors.extend(_row_errors(row.line, error))
            continue
        if posted is None:
            result.already_posted.append(row)
        else:
            result.posted.extend(posted)
    if result.errors:
        result.posted = []
        del result.errors[MAX_ERRORS:]
        return result
    if not dry_run and result.posted:
        with audit_via(via) if via else nullcontext():
            _write(actor, award, book, result.posted, posting.payments)
        cash_holds.lift_if_cleared(
            award, actor=None, today=today, by=f"{len(result.posted)} entries imported"
        )
    result.balances_after = book.balances(as_of=today)
    return result


@refusal_audited("budgets.drawdown.refused", on="award", attempted="import past draws")
@transaction.atomic
def post_past_drawdowns(
    *, actor, award: Award, draws: Sequence[tuple[date, Decimal]], memo: str, today: date
) -> list[LedgerEntry]:
    """The cash a past award drew over its life, many draws at once, for the past-award
    import (budgets.history_import) as ledger.final_figures_post records one: each draw is
    checked as a drawdown paid that day (ledger._check_drawn_within_authorized: within
    the funds authorized not yet drawn on every day from its date), in date order, then
    all are written as post_batch writes its entries. Like any drawdown, none is dated after
    the liquidation period ends (budgets.balances.liquidation_end, as drawdown_request's
    _check_drawable). Refused with a ValidationError."""
    award = lock_award(award.pk)
    access.require(access.can_manage_program(actor), "Only a program manager imports past awards.")
    _check_open_for_money(award)
    book = MemoryBook(award, days={day for day, _ in draws})
    last_day = book.liquidation_end()
    entries = []
    for n, (day, amount) in enumerate(sorted(draws)):
        amount = _amount(amount)
        if not award.period_start <= day <= today:
            raise ValidationError(
                {"paid_on": f"{day:%m/%d/%Y} is before the period starts or in the future."}
            )
        if day > last_day:
            raise ValidationError(
                {
                    "paid_on": f"Drawn on {day:%m/%d/%Y}, after the liquidation period of award "
                    f"{award} ended on {last_day:%m/%d/%Y}; no more cash can be drawn."
                }
            )
        low = book.lowest_from(day)["undrawn"]
        if amount > low.amount:
            raise ValidationError(
                {
                    "paid_on": f"Drawn on {day:%m/%d/%Y}, {format_money(amount)} is more than "
                    f"the {format_money(low.amount)} of the funds authorized not yet drawn on "
                    f"award {award}."
                }
            )
        entry = LedgerEntry(
            award=award,
            kind=KINDS["drawdown"].code,
            amount=amount,
            effective_date=day,
            actor=actor,
            memo=memo,
            idempotency_key=uuid.uuid5(IMPORT_NAMESPACE, f"{award.pk}:drawn:{n}:{day}"),
        )
        book.add(entry)
        entries.append(entry)
    _write(actor, award, book, entries, set())
    return entries


def _existing(award: Award, rows: Sequence[BatchRow]) -> dict[str, LedgerEntry]:
    """The award's entries whose references the rows give or pay, by reference."""
    wanted = sorted(
        {clean_text(getattr(row, name)) for row in rows for name in ("reference", "pays")} - {""}
    )
    found = {}
    for start in range(0, len(wanted), 5000):
        for entry in LedgerEntry.objects.filter(
            award=award, reference__in=wanted[start : start + 5000]
        ).select_related("reversed_by", "obligation", "expenditure"):
            found[entry.reference] = entry
    return found


def _dates_paid(existing: dict[str, LedgerEntry]) -> dict[int, date]:
    """The date paid given with each expenditure among `existing`: the day of the payment
    written with it (ledger.payment_entry's key), by the expenditure's id."""
    keys = {
        uuid.uuid5(entry.idempotency_key, "paid"): entry.pk
        for entry in existing.values()
        if entry.kind == LedgerEntry.Kind.EXPENDITURE
    }
    payments = LedgerEntry.objects.filter(idempotency_key__in=keys, reverses__isnull=True)
    return {
        keys[key]: day for key, day in payments.values_list("idempotency_key", "effective_date")
    }


class _Posting:
    """The rows accepted so far, and how the next one is checked against them."""

    def __init__(self, actor, award: Award, book: MemoryBook, existing, today: date):
        self.actor, self.award, self.book, self.today = actor, award, book, today
        self.existing: dict[str, LedgerEntry] = existing
        self.lines: dict[str, int] = {}  # reference -> the first line giving it
        self.accepted: dict[str, LedgerEntry] = {}  # reference -> entry accepted in the file
        self.payments: set[int] = set()  # id() of the payments on expenditures' dates paid
        self.dates_paid = _dates_paid(existing)  # expenditure id -> the date paid given with it

    def row(self, row: BatchRow) -> list[LedgerEntry] | None:
        """The entries the row posts (the row's, and its payment on its date paid), None
        when it was posted before; refused with a ValidationError."""
        reference = self._reference(row)
        amount = _amount(row.amount)
        declared = recordable_kind(row.kind)
        for name in ("effective_date", "paid_on"):
            day = getattr(row, name)
            if not (_is_day(day) or (day is None and name == "paid_on")):
                raise ValidationError({name: "Enter a date."})
        earlier = self.existing.get(reference)
        if earlier is not None:
            if _same(earlier, declared, amount, row, self.dates_paid.get(earlier.pk)):
                return None
            raise ValidationError({"reference": reference_taken(earlier)})
        paid = self._paid(row, declared)
        entry = checked_entry(
            self.book,
            declared,
            amount=amount,
            effective_date=row.effective_date,
            category=row.category,
            share=row.share,
            memo=row.memo,
            paid_on=row.paid_on,
            obligation=paid if declared.pays == "obligation" else None,
            expenditure=paid if declared.pays == "expenditure" else None,
            in_kind_basis=row.in_kind_basis,
            in_kind_description=row.in_kind_description,
            today=self.today,
        )
        entry.actor, entry.reference = self.actor, reference
        entry.idempotency_key = import_key(self.award, reference)
        self.book.add(entry, paid)
        self.accepted[reference] = entry
        posted = [entry]
        if row.paid_on is not None:
            payment = payment_entry(self.actor, self.award, entry, row.paid_on)
            self.book.add(payment, entry)
            self.payments.add(id(payment))
            posted.append(payment)
        return posted

    def _reference(self, row: BatchRow) -> str:
        reference = clean_text(row.reference)
        if not reference:
            raise ValidationError(
                {"reference": "Give the line its reference (the document or transaction number)."}
            )
        if len(reference) > REFERENCE_LENGTH:
            raise ValidationError(
                {"reference": f"Keep the reference to {REFERENCE_LENGTH} characters or fewer."}
            )
        if reference in self.lines:
            raise ValidationError(
                {
                    "reference": f"Reference {reference} is on line {self.lines[reference]} and "
                    f"line {row.line}; give each line its own reference."
                }
            )
        self.lines[reference] = row.line
        return reference

    def _paid(self, row: BatchRow, declared) -> LedgerEntry | None:
        """The entry the row pays, by its reference (checked further by the rules)."""
        pays = clean_text(row.pays)
        if not pays:
            return None
        label = declared.label.lower()
        if not declared.pays:
            raise ValidationError(
                {"pays": f"{_a(label).capitalize()} pays no earlier entry: leave pays empty."}
            )
        paid = self.accepted.get(pays) or self.existing.get(pays)
        if paid is None:
            if pays in self.lines:
                raise ValidationError(
                    {
                        "pays": f"Line {self.lines[pays]} (reference {pays}), which this line "
                        "pays, is refused."
                    }
                    if self.lines[pays] < row.line
                    else {"pays": f"Reference {pays} is on a later line; list what is paid first."}
                )
            raise ValidationError(
                {"pays": f"No entry with reference {pays} is on this award or earlier in the file."}
            )
        if paid.kind != declared.pays:
            raise ValidationError(
                {
                    "pays": f"Reference {pays} is {_a(paid.get_kind_display().lower())}; "
                    f"{_a(label)} pays only {_a(declared.pays)}."
                }
            )
        return paid


def _is_day(value) -> bool:
    # A datetime is a date too, but one that cannot be compared with the ledger's dates.
    return isinstance(value, date) and not isinstance(value, datetime)


def _a(label: str) -> str:
    return f"{'an' if label[0] in 'aeiou' else 'a'} {label}"


def _same(
    earlier: LedgerEntry, declared, amount: Decimal, row: BatchRow, paid_on: date | None
) -> bool:
    """The row says what the entry posted under its reference says (a re-upload): a row
    that changes what it pays, its date paid or its in-kind valuation is a change, not a
    repeat, so it is refused rather than passed over."""
    if hasattr(earlier, "reversed_by"):
        return False
    paid = getattr(earlier, declared.pays) if declared.pays else None
    same = (
        earlier.kind,
        earlier.amount,
        earlier.effective_date,
        paid.reference if paid is not None else "",
        paid_on,
        earlier.in_kind_basis,
    ) == (
        declared.code,
        amount,
        row.effective_date,
        clean_text(row.pays),
        row.paid_on,
        row.in_kind_basis or "",
    )
    if declared.needs_category:
        same = same and (earlier.category, earlier.share) == (row.category, row.share)
    return same


def _row_errors(line: int, error: ValidationError) -> list[RowError]:
    if not hasattr(error, "error_dict"):
        return [RowError(line, "", message) for message in error.messages]
    return [
        RowError(line, ROW_FIELDS.get(name, name), message)
        for name, messages in error.message_dict.items()
        for message in messages
    ]


def _reserve_ids(count: int) -> list[int]:
    """Primary keys for `count` new entries, in order, so that entries paying others in
    the same file can name them and the whole file goes in one INSERT in its order."""
    table = LedgerEntry._meta.db_table
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
                [table, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
    # Elsewhere (SQLite) the writer holds the database lock from its transaction's start
    # (settings: transaction_mode IMMEDIATE), so the next keys are free until it commits.
    start = (LedgerEntry.objects.aggregate(top=Max("pk"))["top"] or 0) + 1
    return list(range(start, start + count))


def _write(
    actor, award: Award, book: MemoryBook, entries: list[LedgerEntry], payments: set[int]
) -> None:
    """Write the entries, their days' totals (as the book now has them) and their audit
    events: a few INSERTs, whatever the number of rows."""
    for entry, pk in zip(entries, _reserve_ids(len(entries)), strict=True):
        entry.pk = pk
    events = []
    for entry in entries:
        if id(entry) in payments:
            entry.memo = payment_memo(entry.expenditure)
            events.append(payment_event(actor, award, entry))
        else:
            events.append(posted_event(actor, award, entry))
    insert_many(LedgerEntry, entries, batch_size=BATCH_SIZE)
    LedgerDay.objects.bulk_create(
        [LedgerDay(award=award, day=day, **book.day_totals[day]) for day in sorted(book.touched)],
        update_conflicts=True,
        unique_fields=["award", "day"],
        update_fields=list(LINES),
        batch_size=BATCH_SIZE,
    )
    add_entries(award.pk, entries)  # their per-category totals
    audit_record_many(events, batch_size=BATCH_SIZE)
