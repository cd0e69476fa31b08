"""Reads of the program and its awards, always scoped to the person asking."""

from collections.abc import Iterable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, fields
from datetime import date
from decimal import Decimal

from django.db.models import F, OuterRef, Q, QuerySet, Subquery
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
    """The value of a dated rule in force on a day. Raises LookupError if none is.
    Inside rules_read_once (every request), from one read of every rule's values."""
    held = _request_rules.get()
    if held is not None:
        if not held:
            held.append(RuleBook())
        return held[0].value(key, on=on)
    row = (
        RuleValue.objects.filter(key=key, effective_from__lte=on)
        .exclude(effective_to__lt=on)
        .order_by("-effective_from")
        .first()
    )
    if row is None:
        raise LookupError(f"no value of {key!r} is in force on {on}")
    return row.value


# The rule book of the block in progress (rules_read_once): empty until its first
# rule_value, then holding the one RuleBook read then.
_request_rules: ContextVar[list | None] = ContextVar("request_rules", default=None)


@contextmanager
def rules_read_once():
    """rule_value inside answers from one read of every rule's values, made at its first
    call: a page asks for half a dozen, each one query of its own otherwise. The rules
    are a few dozen rows; a RuleValue saved or deleted inside is read again
    (forget_rules). config.middleware.RequestContextMiddleware wraps every request."""
    reset = _request_rules.set([])
    try:
        yield
    finally:
        _request_rules.reset(reset)


def forget_rules(**_signal) -> None:
    """Drop the rules read in this block, so the next rule_value reads them again (sent
    when a RuleValue is saved or deleted: grants.apps)."""
    held = _request_rules.get()
    if held:
        held.clear()


class RuleBook:
    """Every dated value of some rules (of all rules when `keys` is None), read once: for
    loops that would otherwise ask the database the same question for each award or
    period."""

    def __init__(self, keys: list[str] | None = None):
        rows = RuleValue.objects.order_by("-effective_from")
        if keys is not None:
            rows = rows.filter(key__in=keys)
        self._rows: dict[str, list[RuleValue]] = {key: [] for key in keys or ()}
        for row in rows:
            self._rows.setdefault(row.key, []).append(row)

    def value(self, key: str, *, on: date) -> Decimal:
        for row in self._rows.get(key, ()):
            if row.effective_from <= on and (row.effective_to is None or row.effective_to >= on):
                return row.value
        raise LookupError(f"no value of {key!r} is in force on {on}")

    def first_in_force(self, key: str) -> date | None:
        """The first day any value of the rule is in force; None if it has no value."""
        rows = self._rows.get(key)
        return rows[-1].effective_from if rows else None


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

    @classmethod
    def empty(cls, fiscal_year: int | None) -> "MoneyChain":
        """The chain of a year without an appropriation the person may see."""
        return cls(fiscal_year, ZERO, ZERO, ZERO, ZERO)

    @classmethod
    def total(cls, chains: Iterable["MoneyChain"]) -> "MoneyChain":
        """The chain of every year from the chains of each (money_chain_by_year): each
        line is a sum over the appropriations, so the years add up to the whole."""
        sums = dict.fromkeys(_CHAIN_SUMS, ZERO)
        for chain in chains:
            for name in _CHAIN_SUMS:
                sums[name] += getattr(chain, name)
        return cls(None, **sums)

    @property
    def available_to_award(self) -> Decimal:
        return self.appropriated - self.set_aside

    @property
    def net_awarded(self) -> Decimal:
        return self.awarded - self.deobligated

    @property
    def not_yet_awarded(self) -> Decimal:
        return self.appropriated - self.set_aside - self.net_awarded - self.expired - self.cancelled


# Every sum a chain holds: its fields after fiscal_year.
_CHAIN_SUMS = tuple(f.name for f in fields(MoneyChain) if f.name != "fiscal_year")


def money_chain(*, user, fiscal_year: int | None = None, on: date | None = None) -> MoneyChain:
    """Appropriated, set aside, awarded, deobligated (and of that, expired or cancelled)
    and not yet awarded, for a year or all years, as of `on` (today by default).

    A year's money is what its appropriations hold and where it went, whichever
    award fiscal year it funded.
    """
    appropriations = appropriation_list_for_user(user=user)
    if fiscal_year is None:
        return _money_chains(appropriations, on=on, by_year=False)[None]
    chains = _money_chains(appropriations.filter(fiscal_year=fiscal_year), on=on, by_year=True)
    return chains.get(fiscal_year) or MoneyChain.empty(fiscal_year)


def money_chain_by_year(*, user, on: date | None = None) -> dict[int, MoneyChain]:
    """money_chain() of every fiscal year that has an appropriation the person may see,
    by year (MoneyChain.empty for any other): the same sums, grouped by year, so the
    number of queries does not grow with the number of years."""
    return _money_chains(appropriation_list_for_user(user=user), on=on, by_year=True)


def _money_chains(
    appropriations: QuerySet[Appropriation], *, on: date | None, by_year: bool
) -> dict[int | None, MoneyChain]:
    """The money chains of `appropriations`, one per fiscal year (by_year) or one in all
    (under None), in five queries either way."""
    on = on or timezone.localdate()
    ids = appropriations.values("pk")

    def grouped(queryset: QuerySet, year: str, **sums) -> dict[int | None, dict]:
        if not by_year:
            return {None: queryset.aggregate(**sums)}
        rows = queryset.values(chain_year=F(year)).annotate(**sums).order_by()
        return {row.pop("chain_year"): row for row in rows}

    appropriated = grouped(
        Appropriation.objects.filter(pk__in=ids), "fiscal_year", t=MoneySum("amount", default=ZERO)
    )
    set_aside = grouped(
        SetAside.objects.filter(appropriation__in=ids),
        "appropriation__fiscal_year",
        t=MoneySum("amount", default=ZERO),
    )
    # Drafts count as awarded (their money is committed) but are shown apart.
    awarded = grouped(
        AwardFunding.objects.filter(appropriation__in=ids),
        "appropriation__fiscal_year",
        t=MoneySum("amount", default=ZERO),
        draft=MoneySum("amount", default=ZERO, filter=Q(award__status=Award.Status.DRAFT)),
    )
    # What came back, per appropriation (summed in the database), placed by whether its
    # appropriation is still available, expired or cancelled on the day.
    returned: dict[int | None, dict[str, Decimal]] = {}
    rules = RuleBook([CANCELLATION_RULE])
    for appropriation in Appropriation.objects.filter(pk__in=ids).annotate(
        returned_total=_sum_subquery(FundingReturn.objects.all(), "appropriation")
    ):
        states = returned.setdefault(
            appropriation.fiscal_year if by_year else None,
            {state: ZERO for state in ("available", "expired", "cancelled")},
        )
        states[appropriation_state(appropriation, on=on, rules=rules)] += (
            appropriation.returned_total
        )
    # Every year with an appropriation has a row in `appropriated`; all years always do.
    no_rows = {"t": ZERO, "draft": ZERO}
    no_returns = {state: ZERO for state in ("available", "expired", "cancelled")}
    return {
        year: MoneyChain(
            year,
            row["t"],
            set_aside.get(year, no_rows)["t"],
            awarded.get(year, no_rows)["t"],
            awarded.get(year, no_rows)["draft"],
            deobligated=sum(returned.get(year, no_returns).values(), ZERO),
            expired=returned.get(year, no_returns)["expired"],
            cancelled=returned.get(year, no_returns)["cancelled"],
        )
        for year, row in appropriated.items()
    }


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
