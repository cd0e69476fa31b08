"""The per-day totals behind every balance (models.LedgerDay).

A balance as of a date is a sum over the award's ledger. Summing the entries themselves
costs time in proportion to their number; summing per-day totals costs one row per day
with activity (a few hundred over a period of performance, however many entries). The
totals are written with each entry, in its transaction, so they can never be seen out
of step with it.
"""

from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, When

from budgets.kinds import KINDS, TOTAL_NAMES, counted
from budgets.models import LedgerDay, LedgerEntry
from grants.money import ZERO, MoneySum

# +amount for an entry, -amount for a reversal.
SIGNED_AMOUNT = Case(
    When(reverses__isnull=True, then=F("amount")),
    default=-F("amount"),
    output_field=DecimalField(max_digits=14, decimal_places=2),
)


def signed_sum(condition: Q) -> MoneySum:
    return MoneySum(SIGNED_AMOUNT, filter=condition, default=ZERO)


def _summed(total: str, fields: set[str] | None = None) -> MoneySum:
    """A per-day total as SQL: the entries the kinds add to it, less those they take off
    (budgets.kinds). `fields`: the entry model's, for a migration's historical model."""
    adding, taking = counted({total: 1}, 1, fields), counted({total: 1}, -1, fields)
    if adding is None:
        raise ValueError(f"No ledger kind adds to the total {total!r}.")
    return signed_sum(adding) if taking is None else signed_sum(adding) - signed_sum(taking)


# Which entries count on which total, as SQL; add_entry says the same per entry.
LINE_SUMS = {total: _summed(total) for total in TOTAL_NAMES}
LINES = TOTAL_NAMES


def add_entry(entry: LedgerEntry) -> None:
    """Count a new entry in its day's totals. Call inside the posting transaction, with
    the award row locked (grants.duties.lock_award), so no other writer touches the row."""
    signed: Decimal = -entry.amount if entry.reverses_id else entry.amount
    day, _ = LedgerDay.objects.get_or_create(award_id=entry.award_id, day=entry.effective_date)
    moved = KINDS[entry.kind].moved(entry.share, entry.paying, in_kind=entry.in_kind)
    LedgerDay.objects.filter(pk=day.pk).update(
        **{total: F(total) + sign * signed for total, sign in moved.items()}
    )


def rebuild(award_ids=None, *, entry_model=LedgerEntry, day_model=LedgerDay) -> int:
    """Recompute the per-day totals from the entries (all awards, or `award_ids`);
    returns the number of day rows written. The model arguments let a data migration
    pass its historical models."""
    entries = entry_model.objects.all()
    days = day_model.objects.all()
    if award_ids is not None:
        entries, days = entries.filter(award_id__in=award_ids), days.filter(award_id__in=award_ids)
    days.delete()
    # A migration's historical models have only the totals, and the entry fields the
    # totals read, declared by then.
    columns = {f.name for f in day_model._meta.get_fields()}
    lines = [line for line in LINES if line in columns]
    fields = {f.name for f in entry_model._meta.get_fields()}
    sums = LINE_SUMS if entry_model is LedgerEntry else {t: _summed(t, fields) for t in lines}
    rows = (
        entries.values("award_id", "effective_date")
        .annotate(**{line: sums[line] for line in lines})
        .order_by("award_id", "effective_date")
    )
    created = day_model.objects.bulk_create(
        (
            day_model(
                award_id=row["award_id"],
                day=row["effective_date"],
                **{line: row[line] for line in lines},
            )
            for row in rows.iterator(chunk_size=2000)
        ),
        batch_size=2000,
    )
    return len(created)
