"""Reads of the ledger and drawdowns, scoped to the person asking."""

from datetime import date
from decimal import Decimal

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from budgets.balances import funding_in_force
from budgets.ledger_days import signed_sum
from budgets.models import BudgetModification, DrawdownRequest, LedgerDay, LedgerEntry
from grants import access
from grants.models import Award, AwardFunding
from grants.money import CENT, ZERO, MoneySum

Kind = LedgerEntry.Kind


def ledger_for_award(*, award: Award) -> QuerySet[LedgerEntry]:
    """The award's entries, each with what of it is still unpaid.

    The running cash on hand and federal spending after each entry are not annotated
    here: a page sets them on its own rows afterwards (budgets.running), since a
    subquery per row grows with the square of the ledger's depth.

    The caller fetched `award` through award_get_for_user, which scoped it.
    """
    return (
        LedgerEntry.objects.filter(award=award)
        .select_related("actor", "reverses", "reversed_by")
        .annotate(
            unpaid=_unpaid(),
        )
    )


def ledger_page_rows(*, award: Award, ids: list[int]) -> list[LedgerEntry]:
    """The entries `ids` of the award (one page of its ledger, in that order) as
    ledger_for_award gives them. A page chooses its ids on the bare entries (the
    (award, date, id) and (award, amount, id) indexes), so that only its own rows are
    joined and have their unpaid amount summed, however deep in the ledger it is."""
    rows = ledger_for_award(award=award).filter(pk__in=ids).in_bulk()
    return [rows[pk] for pk in ids]


def _unpaid():
    """What of each expenditure is not yet paid: its amount less the disbursements
    paying it, net of their reversals (the amount itself for any other entry; nothing for
    an in-kind contribution, given rather than paid)."""
    paid = (
        LedgerEntry.objects.filter(expenditure=OuterRef("pk"))
        .order_by()
        .values("expenditure")
        .annotate(t=signed_sum(Q()))
        .values("t")
    )
    return Case(
        When(~Q(in_kind_basis=""), then=Value(ZERO)),
        default=F("amount") - Coalesce(Subquery(paid), ZERO),
        output_field=DecimalField(max_digits=14, decimal_places=2),
    )


def unpaid_expenditures(*, award: Award) -> QuerySet[LedgerEntry]:
    """The award's expenditures not yet paid in full, each with `unpaid`: what a
    disbursement may still pay of it."""
    return (
        LedgerEntry.objects.filter(
            award=award, kind=Kind.EXPENDITURE, reverses__isnull=True, reversed_by__isnull=True
        )
        .annotate(unpaid=_unpaid())
        .filter(unpaid__gt=0)
        .order_by("effective_date", "pk")
    )


def open_obligations(*, award: Award) -> QuerySet[LedgerEntry]:
    return LedgerEntry.objects.filter(
        award=award, kind=Kind.OBLIGATION, reverses__isnull=True, reversed_by__isnull=True
    ).order_by("effective_date", "pk")


def drawdown_list_for_user(*, user) -> QuerySet[DrawdownRequest]:
    """Drawdown requests of the awards the person may read, with what a row shows. The
    award, its task force and the requester are joined; who decided, who recorded the
    payment and the entry's reversal are read in a query each for the rows read. Joined
    too, they made a nine-table join that PostgreSQL took 25 ms to plan, every time."""
    return (
        DrawdownRequest.objects.filter(access.task_force_scope(user, field="award__task_force"))
        .select_related("award", "award__task_force", "requested_by")
        .prefetch_related("decided_by", "paid_by", "ledger_entry__reversed_by")
    )


def award_money(award_ids, *, today: date) -> dict[int, dict[str, Decimal]]:
    """The money of each of the awards on `today`, by award id
    (docs/rules/cash-and-ledger.md#cash-need):

    - `drawn_to_date`: cash received (10a);
    - `available_to_draw`: authorized on `today` (10d: the funding lines in force less
      what was deobligated) less drawn less open requests;
    - `cash_on_hand`: drawn less disbursed (10c), from the per-day totals;
    - `federal_spent`: federal expenditures to date (10e).

    Three grouped queries for all the awards, each reading an award's days once: a
    subquery per listed row would read them again for every row and every number."""
    ids = set(award_ids)
    if not ids:
        return {}
    on_or_before = Q(day__lte=today)
    days = {
        row["award_id"]: row
        for row in LedgerDay.objects.filter(award_id__in=ids)
        .values("award_id")
        .annotate(
            drawn=MoneySum("drawn", filter=on_or_before, default=ZERO),
            disbursed=MoneySum("disbursed", filter=on_or_before, default=ZERO),
            federal=MoneySum("federal_expenditures", filter=on_or_before, default=ZERO),
            deobligated=MoneySum("deobligated", default=ZERO),
        )
        .order_by()
    }
    funding = dict(
        AwardFunding.objects.filter(funding_in_force(today), award_id__in=ids)
        .values("award_id")
        .annotate(t=MoneySum("amount", default=ZERO))
        .order_by()
        .values_list("award_id", "t")
    )
    requested = dict(
        DrawdownRequest.objects.filter(status__in=DrawdownRequest.OPEN, award_id__in=ids)
        .values("award_id")
        .annotate(t=MoneySum("amount", default=ZERO))
        .order_by()
        .values_list("award_id", "t")
    )
    money = {}
    for award_id in ids:
        day = days.get(award_id, {})
        drawn = day.get("drawn", ZERO)
        authorized = funding.get(award_id, ZERO) - day.get("deobligated", ZERO)
        money[award_id] = {
            "drawn_to_date": drawn.quantize(CENT),
            "available_to_draw": (authorized - drawn - requested.get(award_id, ZERO)).quantize(
                CENT
            ),
            "cash_on_hand": (drawn - day.get("disbursed", ZERO)).quantize(CENT),
            "federal_spent": day.get("federal", ZERO).quantize(CENT),
        }
    return money


def set_award_money(rows: list, *, today: date, award_id=lambda row: row.award_id) -> list:
    """Set each row's award money on `today` (award_money) on it as attributes; rows are
    awards (award_id=lambda a: a.pk) or rows pointing at one. Returns `rows`."""
    money = award_money({award_id(row) for row in rows}, today=today)
    for row in rows:
        for name, amount in money[award_id(row)].items():
            setattr(row, name, amount)
    return rows


def set_oldest_cash_on(rows: list, *, today: date) -> None:
    """Set `oldest_cash_on` on each of `rows` (rows with an `award_id`): the day the
    oldest dollar its award still holds was drawn, or None when no cash is held.

    Cash goes out oldest first (as balances.awards_with_excess_cash counts it), so that
    is the first day D with cash drawn on which what was drawn by D (net of returns)
    exceeds everything disbursed or returned to date. One query for the rows' awards,
    over their days that moved cash, rather than a subquery per day per row."""
    award_ids = {row.award_id for row in rows}
    days: dict[int, list[dict]] = {award_id: [] for award_id in award_ids}
    for day in (
        LedgerDay.objects.filter(award_id__in=award_ids, day__lte=today)
        .exclude(drawn=0, returned=0, disbursed=0)
        .order_by("award_id", "day")
        .values("award_id", "day", "drawn", "returned", "disbursed")
    ):
        days[day["award_id"]].append(day)
    oldest = {}
    for award_id, moves in days.items():
        gone = sum((d["disbursed"] + d["returned"] for d in moves), ZERO)
        by_then, oldest[award_id] = ZERO, None
        for d in moves:
            by_then += d["drawn"] + d["returned"]
            if d["drawn"] > 0 and by_then > gone:
                oldest[award_id] = d["day"]
                break
    for row in rows:
        row.oldest_cash_on = oldest[row.award_id]


def budget_change_list_for_user(*, user) -> QuerySet[BudgetModification]:
    """Budget modifications and supplements of the awards the person may read."""
    # Joined: what every row shows; the rest is read in a query each for the rows read,
    # as for drawdown requests (a nine-table join costs more to plan than to run).
    return (
        BudgetModification.objects.filter(access.task_force_scope(user, field="award__task_force"))
        .select_related("award", "award__task_force", "requested_by")
        .prefetch_related("decided_by", "amendment", "appropriation", "base", "result")
    )
