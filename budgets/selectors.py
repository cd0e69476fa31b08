"""Reads of the ledger and drawdowns, scoped to the person asking."""

from datetime import date

from django.db.models import Case, DecimalField, F, OuterRef, Q, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce

from budgets.balances import funding_in_force
from budgets.ledger_days import signed_sum
from budgets.models import BudgetModification, DrawdownRequest, LedgerDay, LedgerEntry
from grants import access
from grants.models import Award, AwardFunding
from grants.money import ZERO, MoneySum

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
    return DrawdownRequest.objects.filter(
        access.task_force_scope(user, field="award__task_force")
    ).select_related(
        "award",
        "award__task_force",
        "requested_by",
        "decided_by",
        "paid_by",
        "ledger_entry__reversed_by",
    )


def _award_total(queryset, expression, outer: str = "award") -> Coalesce:
    """One number per award of the outer row (its `outer` field points at the award):
    `expression` summed over `queryset`'s rows of that award, 0.00 when there are none."""
    summed = (
        queryset.filter(award=OuterRef(outer))
        .order_by()
        .values("award")
        .annotate(t=expression)
        .values("t")
    )
    return Coalesce(Subquery(summed, output_field=DecimalField()), ZERO)


def _money_position(*, today: date, outer: str) -> dict:
    """The award's money on `today`, as annotations of rows whose `outer` field is the
    award (docs/rules/cash-and-ledger.md#cash-need):

    - `drawn_to_date`: cash received (10a);
    - `available_to_draw`: authorized on `today` (10d: the funding lines in force less
      what was deobligated) less drawn less open requests;
    - `cash_on_hand`: drawn less disbursed (10c), from the per-day totals;
    - `federal_spent`: federal expenditures to date (10e).
    """
    days = LedgerDay.objects.filter(day__lte=today)
    drawn = _award_total(days, MoneySum("drawn", default=ZERO), outer)
    authorized = _award_total(
        AwardFunding.objects.filter(funding_in_force(today)),
        MoneySum("amount", default=ZERO),
        outer,
    ) - _award_total(LedgerDay.objects.all(), MoneySum("deobligated", default=ZERO), outer)
    open_requests = _award_total(
        DrawdownRequest.objects.filter(status__in=DrawdownRequest.OPEN),
        MoneySum("amount", default=ZERO),
        outer,
    )
    return {
        "drawn_to_date": drawn,
        "available_to_draw": authorized - drawn - open_requests,
        "cash_on_hand": drawn - _award_total(days, MoneySum("disbursed", default=ZERO), outer),
        "federal_spent": _award_total(days, MoneySum("federal_expenditures", default=ZERO), outer),
    }


def with_award_money(rows: QuerySet, *, today: date, outer: str = "award") -> QuerySet:
    """`rows` (awards with outer="pk", or rows pointing at an award) with the award's
    money on `today` (see _money_position), summed in the one query that lists them."""
    return rows.annotate(**_money_position(today=today, outer=outer))


def with_cash_position(requests: QuerySet[DrawdownRequest], *, today: date) -> QuerySet:
    """Each request with its award's money on `today` (_money_position), for the
    approver's queue, in the one query that lists them. The age of the cash held is
    set on a page's rows afterwards (set_oldest_cash_on): it walks the award's days."""
    return with_award_money(requests, today=today)


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
    return BudgetModification.objects.filter(
        access.task_force_scope(user, field="award__task_force")
    ).select_related(
        "award",
        "award__task_force",
        "requested_by",
        "decided_by",
        "amendment",
        "appropriation",
        "base",
        "result",
    )
