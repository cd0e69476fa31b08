"""The per-day totals behind every balance (models.LedgerDay).

A balance as of a date is a sum over the award's ledger. Summing the entries themselves
costs time in proportion to their number; summing per-day totals costs one row per day
with activity (a few hundred over a period of performance, however many entries). The
totals are written with each entry, in its transaction, so they can never be seen out
of step with it.
"""

from collections import defaultdict
from decimal import Decimal

from django.db.models import Case, DecimalField, F, Q, When

from budgets.kinds import CATEGORY_TOTALS, KINDS, TOTAL_NAMES, TOTALS, counted, moving
from budgets.models import LedgerCategoryDay, LedgerDay, LedgerEntry
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
    for category, amounts in _category_moves(entry).items():
        row, _ = LedgerCategoryDay.objects.get_or_create(
            award_id=entry.award_id, day=entry.effective_date, category=category
        )
        LedgerCategoryDay.objects.filter(pk=row.pk).update(
            **{total: F(total) + amount for total, amount in amounts.items()}
        )


# --- per budget category (models.LedgerCategoryDay) ----------------------------------

# Where each per-category total counts an entry: its own category, or (liquidated) the
# category of the obligation it pays.
CATEGORY_FIELD = {total.name: total.category_field for total in TOTALS}


def _category_of(entry: LedgerEntry, total: str, paid: dict[int, str] | None = None) -> str:
    """The category `entry` counts in on `total`: its own, or the category of the entry
    it pays, from `paid` (id -> category) when given, else read through the entry."""
    field = CATEGORY_FIELD[total]
    if field == "category":
        return entry.category
    key = field.split("__")[0]
    if paid is not None:
        return paid[getattr(entry, f"{key}_id")]
    return getattr(entry, key).category


def _category_rows(entries, fields: set[str] | None = None) -> list[dict]:
    """The per-category day rows of `entries`, summed in SQL: one query per place a
    total takes its category from."""
    rows: dict[tuple, dict] = {}
    for field in sorted(set(CATEGORY_FIELD[total] for total in CATEGORY_TOTALS)):
        totals = [total for total in CATEGORY_TOTALS if CATEGORY_FIELD[total] == field]
        sums = {t: LINE_SUMS[t] if fields is None else _summed(t, fields) for t in totals}
        for row in (
            entries.filter(moving(*totals))
            .values("award_id", "effective_date", field)
            .annotate(**sums)
            .order_by()
        ):
            key = (row["award_id"], row["effective_date"], row[field])
            found = rows.setdefault(key, dict.fromkeys(CATEGORY_TOTALS, ZERO))
            for total in totals:
                found[total] += row[total]
    return [
        {"award_id": a, "day": d, "category": c, **totals}
        for (a, d, c), totals in sorted(rows.items())
    ]


def _category_moves(
    entry: LedgerEntry, paid: dict[int, str] | None = None
) -> dict[str, dict[str, Decimal]]:
    """What one entry adds to each per-category total, by category."""
    signed: Decimal = -entry.amount if entry.reverses_id else entry.amount
    moved = KINDS[entry.kind].moved(entry.share, entry.paying, in_kind=entry.in_kind)
    found: dict[str, dict[str, Decimal]] = defaultdict(dict)
    for total, sign in moved.items():
        if total in CATEGORY_TOTALS:
            found[_category_of(entry, total, paid)][total] = sign * signed
    return found


def add_entries(award_id: int, entries: list[LedgerEntry]) -> None:
    """Count a batch of new entries (ledger_batch) in the per-category totals: the rows
    they touch read once, added to, and written back in one statement. Call inside the
    posting transaction, under the award's lock, like add_entry."""
    adding: dict[tuple, dict[str, Decimal]] = defaultdict(
        lambda: dict.fromkeys(CATEGORY_TOTALS, ZERO)
    )
    # The categories of the entries they pay, in one query: an entry saved by COPY no
    # longer holds the entry it pays, only its id.
    keys = {CATEGORY_FIELD[t].split("__")[0] for t in CATEGORY_TOTALS} - {"category"}
    paid_ids = {getattr(e, f"{key}_id") for e in entries for key in keys} - {None}
    paid = dict(LedgerEntry.objects.filter(pk__in=paid_ids).values_list("pk", "category"))
    for entry in entries:
        for category, amounts in _category_moves(entry, paid).items():
            row = adding[(entry.effective_date, category)]
            for total, amount in amounts.items():
                row[total] += amount
    if not adding:
        return
    days = {day for day, _ in adding}
    for row in LedgerCategoryDay.objects.filter(award_id=award_id, day__in=days).values(
        "day", "category", *CATEGORY_TOTALS
    ):
        key = (row["day"], row["category"])
        if key in adding:  # a new category of a day with rows is not read
            for total in CATEGORY_TOTALS:
                adding[key][total] += row[total]
    LedgerCategoryDay.objects.bulk_create(
        [
            LedgerCategoryDay(award_id=award_id, day=day, category=category, **totals)
            for (day, category), totals in sorted(adding.items())
        ],
        update_conflicts=True,
        unique_fields=["award", "day", "category"],
        update_fields=list(CATEGORY_TOTALS),
        batch_size=2000,
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
    if entry_model is LedgerEntry:
        rebuild_categories(award_ids)
    return len(created)


def rebuild_categories(
    award_ids=None, *, entry_model=LedgerEntry, day_model=LedgerCategoryDay
) -> int:
    """Recompute the per-category totals from the entries (all awards, or `award_ids`);
    returns the number of rows written. The model arguments: as for rebuild."""
    entries = entry_model.objects.all()
    days = day_model.objects.all()
    if award_ids is not None:
        entries, days = entries.filter(award_id__in=award_ids), days.filter(award_id__in=award_ids)
    days.delete()
    fields = (
        None if entry_model is LedgerEntry else {f.name for f in entry_model._meta.get_fields()}
    )
    created = day_model.objects.bulk_create(
        (day_model(**row) for row in _category_rows(entries, fields)), batch_size=2000
    )
    return len(created)
