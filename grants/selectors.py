"""Reads of the program and its awards, always scoped to the person asking."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db.models import Min, OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from grants import access
from grants.audit import AuditEvent
from grants.models import (
    Amendment,
    Appropriation,
    Award,
    AwardFunding,
    FundingReturn,
    Hold,
    Recipient,
    RuleValue,
    SetAside,
    TaskForce,
    fiscal_year_of,
)
from grants.money import ZERO, MoneySum, format_money


def _sum_subquery(queryset: QuerySet, outer_field: str = "pk", field: str = "amount"):
    """A correlated subquery summing `field` of rows pointing at the outer row.

    Subqueries rather than joins: two joined sums on one query multiply each other.
    """
    summed = (
        queryset.filter(**{outer_field: OuterRef("pk")})
        .order_by()
        .values(outer_field)
        .annotate(total=MoneySum(field))
        .values("total")
    )
    return Coalesce(Subquery(summed), ZERO)


def appropriation_list_for_user(*, user) -> QuerySet[Appropriation]:
    """Appropriations with what is set aside, awarded and still available.

    Program-level records: only the program office and auditors see them.
    """
    if not access.can_view_program(user):
        return Appropriation.objects.none()
    return Appropriation.objects.annotate(
        set_aside_total=_sum_subquery(SetAside.objects.all(), "appropriation"),
        awarded_total=_sum_subquery(AwardFunding.objects.all(), "appropriation"),
        returned_total=_sum_subquery(FundingReturn.objects.all(), "appropriation"),
    ).order_by("fiscal_year", "pk")


def not_yet_awarded(
    appropriation: Appropriation, *, on: date, rules: "RuleBook | None" = None
) -> Decimal:
    """What of an appropriation from appropriation_list_for_user (with its totals) is
    left to award on `on`: what was returned counts only while it is available, as in the
    money chain, whose rows these are."""
    returned = (
        appropriation.returned_total
        if appropriation_state(appropriation, on=on, rules=rules) == "available"
        else ZERO
    )
    return (
        appropriation.amount
        - appropriation.set_aside_total
        - appropriation.awarded_total
        + returned
    )


CANCELLATION_RULE = "appropriation_cancelled_after_fiscal_years"


def appropriation_cancelled_on(
    appropriation: Appropriation, *, rules: "RuleBook | None" = None
) -> date | None:
    """The day an appropriation's account is closed and its balance cancelled: September
    30th of the fifth fiscal year after its period of availability ends (31 U.S.C. 1552(a);
    docs/rules/deobligation.md#expired-and-cancelled). None while available until expended."""
    if appropriation.available_until is None:
        return None
    read = rules.value if rules is not None else rule_value
    years = int(read(CANCELLATION_RULE, on=appropriation.available_until))
    return date(fiscal_year_of(appropriation.available_until) + years, 9, 30)


def appropriation_state(
    appropriation: Appropriation, *, on: date, rules: "RuleBook | None" = None
) -> str:
    """The appropriation's state on a day, "available", "expired" or "cancelled": available through
    `available_until` (blank: until expended), expired after it (31 U.S.C. 1502: no new
    obligations), cancelled from the day the account closes (31 U.S.C. 1552)."""
    if appropriation.available_until is None or on <= appropriation.available_until:
        return "available"
    cancelled_on = appropriation_cancelled_on(appropriation, rules=rules)
    return "cancelled" if on >= cancelled_on else "expired"


def appropriation_returned(appropriation: Appropriation) -> Decimal:
    """What awards gave back to the appropriation (decreases, terminations, deobligation
    at closeout)."""
    return FundingReturn.objects.filter(appropriation=appropriation).aggregate(
        total=MoneySum("amount", default=ZERO)
    )["total"]


def appropriation_available(appropriation: Appropriation, *, on: date | None = None) -> Decimal:
    """What can still be awarded on `on` (today by default): amount less set-asides less
    every funding line, plus what awards gave back while the appropriation is still in its
    period of availability (docs/rules/deobligation.md#returned-to-the-appropriation)."""
    on = on or timezone.localdate()
    set_aside = SetAside.objects.filter(appropriation=appropriation).aggregate(
        total=MoneySum("amount", default=ZERO)
    )["total"]
    awarded = AwardFunding.objects.filter(appropriation=appropriation).aggregate(
        total=MoneySum("amount", default=ZERO)
    )["total"]
    returned = (
        appropriation_returned(appropriation)
        if appropriation_state(appropriation, on=on) == "available"
        else ZERO
    )
    return appropriation.amount - set_aside - awarded + returned


def appropriation_shortfall(
    appropriation: Appropriation, amount: Decimal, *, asks: str, on: date | None = None
) -> str:
    """The message when `amount` is more than what is left of the appropriation, or ""
    when it fits. `asks` names the request: "this award asks for", "the pool is"."""
    available = appropriation_available(appropriation, on=on)
    if amount <= available:
        return ""
    return (
        f"FY{appropriation.fiscal_year} {appropriation.name} has {format_money(available)} "
        f"left after set-asides and earlier awards; {asks} {format_money(amount)}, "
        f"{format_money(amount - available)} too much."
    )


def task_force_list_for_user(*, user) -> QuerySet[TaskForce]:
    return (
        TaskForce.objects.filter(access.task_force_scope(user, field="pk"))
        .select_related("lead_organization")
        .annotate(awarded_total=_sum_subquery(Award.objects.all(), "task_force", "federal_amount"))
    )


def recipient_list_for_user(*, user) -> QuerySet[Recipient]:
    """Recipients whose awards the person may read, or that lead one of their task forces."""
    if access.sees_every_task_force(user):
        return Recipient.objects.all()
    ids = access.task_force_ids(user)
    return Recipient.objects.filter(
        Q(pk__in=Award.objects.filter(task_force__in=ids).values("recipient"))
        | Q(pk__in=TaskForce.objects.filter(pk__in=ids).values("lead_organization"))
    )


def award_list_for_user(*, user) -> QuerySet[Award]:
    return Award.objects.filter(access.task_force_scope(user)).select_related(
        "task_force", "recipient"
    )


def award_get_for_user(*, user, award_number: str) -> Award:
    return award_list_for_user(user=user).get(award_number=award_number)


def audit_events_for_user(*, user) -> QuerySet[AuditEvent]:
    """The audit trail as far as the user may read it: every event for the program office
    and auditors; for task-force staff, the events recorded against their task forces
    (program-level events, which name no task force, are not theirs to read)."""
    return AuditEvent.objects.filter(access.task_force_scope(user)).select_related(
        "actor", "task_force", "content_type"
    )


def hold_list_for_award(*, award: Award) -> QuerySet[Hold]:
    return award.holds.select_related("placed_by", "lifted_by")


def active_holds(*, award: Award) -> QuerySet[Hold]:
    return award.holds.filter(lifted_at__isnull=True)


def rule_value(key: str, *, on: date) -> Decimal:
    """The value of a dated rule in force on a day. Raises LookupError if none is."""
    row = (
        RuleValue.objects.filter(key=key, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise LookupError(f"no value of {key!r} is in force on {on}")
    return row.value


def rule_first_in_force(key: str) -> date | None:
    """The first day any value of a dated rule is in force; None if it has no value."""
    return RuleValue.objects.filter(key=key).aggregate(first=Min("effective_from"))["first"]


class RuleBook:
    """Every dated value of some rules, read once: for loops that would otherwise ask
    the database the same question for each award or period."""

    def __init__(self, keys: list[str]):
        self._rows: dict[str, list[RuleValue]] = {key: [] for key in keys}
        for row in RuleValue.objects.filter(key__in=keys).order_by("-effective_from"):
            self._rows[row.key].append(row)

    def value(self, key: str, *, on: date) -> Decimal:
        for row in self._rows[key]:
            if row.effective_from <= on and (row.effective_to is None or row.effective_to >= on):
                return row.value
        raise LookupError(f"no value of {key!r} is in force on {on}")


@dataclass(frozen=True)
class MoneyChain:
    """The top of the money chain for one fiscal year, or for every year.

    It adds up: appropriated = set aside + awarded - deobligated + expired + cancelled +
    not yet awarded. Money deobligated goes back to its appropriation and counts as not
    yet awarded only while the appropriation is available; after that it is expired, and
    cancelled once the account closes (docs/rules/deobligation.md#the-money-chain).
    """

    fiscal_year: int | None
    appropriated: Decimal
    set_aside: Decimal
    awarded: Decimal
    awarded_in_draft: Decimal
    deobligated: Decimal = ZERO
    expired: Decimal = ZERO
    cancelled: Decimal = ZERO

    @property
    def available_to_award(self) -> Decimal:
        return self.appropriated - self.set_aside

    @property
    def net_awarded(self) -> Decimal:
        return self.awarded - self.deobligated

    @property
    def not_yet_awarded(self) -> Decimal:
        return self.appropriated - self.set_aside - self.net_awarded - self.expired - self.cancelled


def money_chain(*, user, fiscal_year: int | None = None, on: date | None = None) -> MoneyChain:
    """Appropriated, set aside, awarded, deobligated (and of that, expired or cancelled)
    and not yet awarded, for a year or all years, as of `on` (today by default).

    A year's money is what its appropriations hold and where it went, whichever
    award fiscal year it funded.
    """
    on = on or timezone.localdate()
    appropriations = appropriation_list_for_user(user=user)
    if fiscal_year is not None:
        appropriations = appropriations.filter(fiscal_year=fiscal_year)
    ids = appropriations.values("pk")
    appropriated = Appropriation.objects.filter(pk__in=ids).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]
    set_aside = SetAside.objects.filter(appropriation__in=ids).aggregate(
        t=MoneySum("amount", default=ZERO)
    )["t"]
    # Drafts count as awarded (their money is committed) but are shown apart.
    awarded = AwardFunding.objects.filter(appropriation__in=ids).aggregate(
        t=MoneySum("amount", default=ZERO),
        draft=MoneySum("amount", default=ZERO, filter=Q(award__status=Award.Status.DRAFT)),
    )
    # What came back, per appropriation (summed in the database), placed by whether its
    # appropriation is still available, expired or cancelled on the day.
    returned = {state: ZERO for state in ("available", "expired", "cancelled")}
    rules = RuleBook([CANCELLATION_RULE])
    for appropriation in Appropriation.objects.filter(pk__in=ids).annotate(
        returned_total=_sum_subquery(FundingReturn.objects.all(), "appropriation")
    ):
        returned[appropriation_state(appropriation, on=on, rules=rules)] += (
            appropriation.returned_total
        )
    return MoneyChain(
        fiscal_year,
        appropriated,
        set_aside,
        awarded["t"],
        awarded["draft"],
        deobligated=sum(returned.values(), ZERO),
        expired=returned["expired"],
        cancelled=returned["cancelled"],
    )


def fiscal_years_for_user(*, user) -> list[int]:
    if access.can_view_program(user):
        years = Appropriation.objects.values_list("fiscal_year", flat=True)
    else:
        years = award_list_for_user(user=user).values_list("fiscal_year", flat=True)
    return sorted(set(years), reverse=True)


def amendment_list_for_user(*, user) -> QuerySet[Amendment]:
    """Amendments of the awards the person may read."""
    return Amendment.objects.filter(
        access.task_force_scope(user, field="award__task_force")
    ).select_related("award", "award__task_force", "requested_by", "decided_by", "appropriation")


# How many of each kind of record one search shows.
SEARCH_LIMIT = 20


@dataclass(frozen=True)
class SearchResults:
    query: str
    awards: list[Award]
    task_forces: list[TaskForce]
    recipients: list[Recipient]
    appropriations: list[Appropriation]

    @property
    def count(self) -> int:
        return (
            len(self.awards)
            + len(self.task_forces)
            + len(self.recipients)
            + len(self.appropriations)
        )


def search_for_user(*, user, query: str) -> SearchResults:
    """Awards by number, task forces by name, code or state, recipients by UEI or name,
    appropriations by name or fiscal year, among what the person may read: an award
    number of another task force finds nothing, as if it did not exist."""
    query = " ".join(query.split())
    if len(query) < 2:
        return SearchResults(query, [], [], [], [])
    year = Q()
    digits = query.upper().removeprefix("FY")
    if digits.isdigit() and len(digits) == 4:
        year = Q(fiscal_year=int(digits))
    awards = award_list_for_user(user=user).filter(
        Q(award_number__icontains=query) | Q(title__icontains=query) | year
    )
    task_forces = task_force_list_for_user(user=user).filter(
        Q(name__icontains=query) | Q(code__icontains=query) | Q(state__iexact=query)
    )
    recipients = recipient_list_for_user(user=user).filter(
        Q(uei__icontains=query) | Q(legal_name__icontains=query)
    )
    appropriations = appropriation_list_for_user(user=user).filter(
        Q(name__icontains=query) | Q(source__icontains=query) | year
    )
    return SearchResults(
        query,
        list(awards.order_by("-fiscal_year", "award_number")[:SEARCH_LIMIT]),
        list(task_forces.order_by("name")[:SEARCH_LIMIT]),
        list(recipients.order_by("legal_name")[:SEARCH_LIMIT]),
        list(appropriations.order_by("-fiscal_year", "pk")[:SEARCH_LIMIT]),
    )
