"""Writes to the program and its awards. One function per use case; each runs in a
transaction, checks who is acting, enforces the money rules after taking its locks,
and writes its audit event in the same transaction."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from grants import access
from grants.audit import audit_record, snapshot
from grants.models import (
    ASSISTANCE_LISTING,
    Amendment,
    Appropriation,
    Award,
    AwardFunding,
    Hold,
    Recipient,
    SetAside,
    TaskForce,
    award_number_fiscal_year,
    normalize_award_number,
    validate_award_number,
)
from grants.money import CENT, ZERO, MoneySum, checked_amount, format_money
from grants.refusals import refusal_audited
from grants.selectors import appropriation_shortfall


def _check_period(start: date, end: date, field: str = "period_end") -> None:
    if end <= start:
        raise ValidationError({field: f"The period must end after it starts ({start:%m/%d/%Y})."})


@transaction.atomic
def appropriation_create(
    *,
    actor,
    fiscal_year: int,
    name: str,
    source: str,
    source_status: str,
    amount,
    available_from: date,
    available_until: date | None = None,
    public_law: str = "",
    notes: str = "",
    set_asides: dict[str, Decimal] | None = None,
    assistance_listing: str = ASSISTANCE_LISTING,
) -> Appropriation:
    """Record an appropriation and its set-asides; set-asides never exceed the amount."""
    access.require(access.can_manage_program(actor))
    amount = checked_amount(amount, "amount")
    if available_until is not None:
        _check_period(available_from, available_until, "available_until")
    cleaned = {
        kind: checked_amount(value, f"set_aside_{kind}")
        for kind, value in (set_asides or {}).items()
        if value not in (None, "", 0, ZERO)
    }
    unknown = set(cleaned) - set(SetAside.Kind.values)
    if unknown:
        raise ValidationError(f"Unknown set-aside kinds: {', '.join(sorted(unknown))}.")
    total_set_aside = sum(cleaned.values(), ZERO)
    if total_set_aside > amount:
        raise ValidationError(
            {
                "amount": f"Set-asides total {format_money(total_set_aside)}, "
                f"{format_money(total_set_aside - amount)} more than the appropriation."
            }
        )
    appropriation = Appropriation(
        fiscal_year=fiscal_year,
        name=name,
        source=source,
        source_status=source_status,
        amount=amount,
        available_from=available_from,
        available_until=available_until,
        public_law=public_law,
        notes=notes,
        assistance_listing=assistance_listing,
    )
    appropriation.full_clean()
    appropriation.save()
    for kind, value in cleaned.items():
        SetAside.objects.create(appropriation=appropriation, kind=kind, amount=value)
    audit_record(
        actor=actor,
        action="grants.appropriation.created",
        obj=appropriation,
        after={
            **snapshot(appropriation),
            "set_asides": {k: str(v) for k, v in cleaned.items()},
        },
    )
    return appropriation


@dataclass(frozen=True)
class FundingRequest:
    appropriation_id: int
    amount: Decimal


def _check_appropriation_funds(
    appropriation: Appropriation, *, listing: str, on: date
) -> list[str]:
    """An appropriation funds only awards of its own program, made in its period of
    availability (docs/rules/program-and-funding.md#period-of-availability)."""
    errors = []
    name = f"FY{appropriation.fiscal_year} {appropriation.name}"
    if on < appropriation.available_from:
        errors.append(
            f"{name} is available for new awards from {appropriation.available_from:%m/%d/%Y}; "
            f"it cannot fund one made on {on:%m/%d/%Y}."
        )
    elif appropriation.available_until is not None and on > appropriation.available_until:
        errors.append(
            f"{name} was available for new awards until {appropriation.available_until:%m/%d/%Y}; "
            f"it cannot fund one made on {on:%m/%d/%Y}: its money has expired."
        )
    if appropriation.assistance_listing != listing:
        errors.append(
            f"{name} is for Assistance Listing {appropriation.assistance_listing}; this award "
            f"is under {listing}."
        )
    return errors


def _lock_and_check_funding(
    funding: list[FundingRequest], *, listing: str = ASSISTANCE_LISTING, on: date
) -> dict[int, Appropriation]:
    """Lock each appropriation (in id order, so two writers cannot deadlock) and check
    that it may fund an award of Assistance Listing `listing` made on `on`, and that what
    is left of it after set-asides and earlier awards covers the request."""
    if not funding:
        raise ValidationError({"funding": "An award needs at least one funding line."})
    wanted: dict[int, Decimal] = {}
    for line in funding:
        wanted[line.appropriation_id] = wanted.get(line.appropriation_id, ZERO) + line.amount
    locked = {
        a.pk: a
        for a in Appropriation.objects.select_for_update().filter(pk__in=wanted).order_by("pk")
    }
    errors = []
    for appropriation_id, amount in sorted(wanted.items()):
        appropriation = locked.get(appropriation_id)
        if appropriation is None:
            errors.append(f"Appropriation {appropriation_id} does not exist.")
            continue
        errors.extend(_check_appropriation_funds(appropriation, listing=listing, on=on))
        shortfall = appropriation_shortfall(
            appropriation, amount, asks="this award asks for", on=on
        )
        if shortfall:
            errors.append(shortfall)
    if errors:
        raise ValidationError({"funding": errors})
    return locked


@refusal_audited("grants.award.refused", on="task_force", attempted="create")
@transaction.atomic
def award_create(
    *,
    actor,
    award_number: str,
    title: str,
    task_force: TaskForce,
    period_start: date,
    period_end: date,
    funding: list[FundingRequest],
    match_required=ZERO,
    special_conditions: str = "",
    recipient: Recipient | None = None,
    ug_version: str | None = None,
    program_income_alternative: str = Award.ProgramIncomeAlternative.ADDITION,
    assistance_listing: str = ASSISTANCE_LISTING,
    today: date | None = None,
) -> Award:
    """Create a draft award funded from one or more appropriations.

    The award's federal amount is the sum of its funding lines, and no appropriation
    is ever committed beyond what is left of it after set-asides, nor outside its period
    of availability or its program. `today` is the day the award is made (a record of an
    earlier award passes its day).
    """
    access.require(access.can_manage_program(actor))
    funding = [
        FundingRequest(line.appropriation_id, checked_amount(line.amount, "funding"))
        for line in funding
    ]
    match_required = checked_amount(match_required, "match_required", allow_zero=True)
    _check_period(period_start, period_end)
    award_number = normalize_award_number(award_number)
    fiscal_year = award_number_fiscal_year(award_number)
    if fiscal_year is None:
        validate_award_number(award_number)
    award = Award(
        award_number=award_number,
        fiscal_year=fiscal_year,
        title=title,
        task_force=task_force,
        recipient=recipient or task_force.lead_organization,
        period_start=period_start,
        period_end=period_end,
        federal_amount=sum((line.amount for line in funding), ZERO),
        match_required=match_required,
        program_income_alternative=program_income_alternative,
        special_conditions=special_conditions,
        ug_version=ug_version or Award.UniformGuidance.in_force_on(period_start),
        assistance_listing=assistance_listing,
    )
    award.full_clean()
    # Made today: its appropriations must be available for new awards today.
    _lock_and_check_funding(
        funding, listing=award.assistance_listing, on=today or timezone.localdate()
    )
    award.save()
    for line in funding:
        AwardFunding.objects.create(
            award=award, appropriation_id=line.appropriation_id, amount=line.amount
        )
    audit_record(
        actor=actor,
        action="grants.award.created",
        obj=award,
        task_force=task_force,
        after={
            **snapshot(award),
            "funding": [
                {"appropriation": line.appropriation_id, "amount": str(line.amount)}
                for line in funding
            ],
        },
    )
    return award


def _check_budget_carries_the_award(award: Award, to_status: str) -> None:
    """The offer carries the budget: without one the award could never get one (after the
    offer a budget only changes by modification of the current one), and the budget must
    carry the match the award requires (docs/rules/award-lifecycle-and-budgets.md#match)."""
    becoming = "offered" if to_status == Award.Status.OFFERED else "active"
    if award.budget_versions.current() is None:
        raise ValidationError(f"An award needs an approved budget before it is {becoming}.")
    budgeted = (
        award.budget_versions.lines_in_force()
        .aggregate(t=MoneySum("non_federal_amount", default=ZERO))["t"]
        .quantize(CENT)
    )
    if budgeted < award.match_required:
        raise ValidationError(
            f"The approved budget's non-federal share, {format_money(budgeted)}, is "
            f"{format_money(award.match_required - budgeted)} short of the "
            f"{format_money(award.match_required)} match the award requires: budget the "
            f"match before the award is {becoming}."
        )


@refusal_audited("grants.award.refused", on="award", attempted="change status")
@transaction.atomic
def award_transition(
    *,
    actor,
    award: Award,
    to_status: str,
    terms_accepted: bool = False,
    typed_name: str = "",
) -> Award:
    """Move an award along its lifecycle; only the allowed moves are possible.

    Acceptance binds the recipient to the award's terms and special conditions, so the
    grant administrator acknowledges them (`terms_accepted`) and types their full name as
    a signature; both are kept on the award and in the audit event."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    data = None
    if to_status == Award.Status.ACCEPTED:
        access.require(
            access.can_accept_award(actor, award),
            "Only the recipient's grant administrator can accept an award.",
        )
        typed_name = " ".join((typed_name or "").split())
        errors = {}
        if not terms_accepted:
            errors["terms_accepted"] = (
                "Tick the box to accept the award's terms and special conditions on behalf "
                f"of {award.recipient}."
            )
        if not typed_name:
            errors["typed_name"] = "Type your full name to sign the acceptance."
        elif len(typed_name) > 200:
            errors["typed_name"] = "Your full name must be at most 200 characters."
        if errors:
            raise ValidationError(errors)
    else:
        access.require(access.can_manage_program(actor))
    if to_status == Award.Status.CLOSED:
        raise ValidationError("An award is closed through its closeout checklist.")
    if to_status not in Award.TRANSITIONS[Award.Status(award.status)]:
        raise ValidationError(
            f"An award that is {award.get_status_display().lower()} cannot become "
            f"{Award.Status(to_status).label.lower()}."
        )
    if to_status in (Award.Status.OFFERED, Award.Status.ACTIVE):
        _check_budget_carries_the_award(award, to_status)
    if to_status == Award.Status.IN_CLOSEOUT:
        _check_nothing_waiting(award)
        award.closeout_started_on = timezone.localdate()
    if to_status == Award.Status.ACCEPTED:
        award.accepted_by = actor
        award.accepted_at = timezone.now()
        award.acceptance_typed_name = typed_name
        award.save(update_fields=["accepted_by", "accepted_at", "acceptance_typed_name"])
        data = {
            "terms_accepted": True,
            "typed_name": typed_name,
            "accepted_by": actor.get_username(),
            "accepted_at": award.accepted_at.isoformat(),
        }
    return _set_status(actor, award, to_status, data=data)


@transaction.atomic
def award_activate_past(*, actor, award: Award, today: date | None = None) -> Award:
    """Make a past award active so its final figures can be recorded (the history
    import, budgets.history_import). It was offered and accepted before this system kept
    records, so no acceptance by the recipient is asked for here; everything else holds:
    a program manager acts, on a draft with the budget that carries it, whose period of
    performance has ended."""
    access.require(access.can_manage_program(actor))
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.DRAFT:
        raise ValidationError(
            f"Award {award} is {award.get_status_display().lower()}; only a new draft is "
            "recorded as a past award."
        )
    today = today or timezone.localdate()
    if award.period_end >= today:
        raise ValidationError(
            {
                "period_end": f"The period of performance ends {award.period_end:%m/%d/%Y}, not "
                "in the past: a current award is offered and accepted in the system."
            }
        )
    _check_budget_carries_the_award(award, Award.Status.ACTIVE)
    return _set_status(actor, award, Award.Status.ACTIVE, data={"past_award": True})


def _check_nothing_waiting(award: Award) -> None:
    waiting = award.amendments.filter(status=Amendment.Status.REQUESTED).order_by("number")
    if waiting:
        raise ValidationError(
            "Decide the requests still waiting before closeout: "
            + "; ".join(f"amendment {a.number} ({a.get_kind_display().lower()})" for a in waiting)
            + "."
        )


def _set_status(actor, award: Award, to_status: str, *, data=None) -> Award:
    """Write a checked move of the award's lifecycle and its audit event
    ("grants.award.<status>"). `actor` None: the system moved it (`data` says which job)."""
    fields = ["status", "closeout_started_on"]
    before = snapshot(award, ["status"])
    award.status = to_status
    award.save(update_fields=fields)
    after = snapshot(award, ["status"])
    if to_status == Award.Status.IN_CLOSEOUT:
        after["closeout_started_on"] = str(award.closeout_started_on)
    audit_record(
        actor=actor,
        action=f"grants.award.{to_status}",
        obj=award,
        task_force=award.task_force,
        before=before,
        after=after,
        data=data,
    )
    return award


@transaction.atomic
def award_start_closeout_by_system(*, award: Award, today: date, by: str) -> Award | None:
    """The daily job moves an active award into closeout the day after its period of
    performance ends (docs/rules/reporting-deadlines.md#closeout-clock). Returns None,
    changing nothing, when the award is not active or its period has not ended (so a
    second run the same day does nothing); refuses, like a person's move, while an
    amendment waits for a decision."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.ACTIVE or today <= award.period_end:
        return None
    _check_nothing_waiting(award)
    award.closeout_started_on = today
    return _set_status(
        None,
        award,
        Award.Status.IN_CLOSEOUT,
        data={"by": by, "as_of": str(today), "period_end": str(award.period_end)},
    )


@transaction.atomic
def award_flag_unilateral_closeout(
    *, award: Award, today: date, missing: list[str], by: str
) -> Award | None:
    """Flag an award in closeout whose closeout time is over for unilateral closeout,
    recording what is still missing (docs/rules/reporting-deadlines.md#closeout-clock).
    Flagged once: a flagged award, or one no longer in closeout, is left as it is."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    if award.status != Award.Status.IN_CLOSEOUT or award.unilateral_closeout_on is not None:
        return None
    award.unilateral_closeout_on = today
    award.unilateral_closeout_missing = list(missing)
    award.save(update_fields=["unilateral_closeout_on", "unilateral_closeout_missing"])
    audit_record(
        actor=None,
        action="grants.award.unilateral_closeout_flagged",
        obj=award,
        task_force=award.task_force,
        before={"unilateral_closeout_on": None},
        after={"unilateral_closeout_on": str(today), "missing": list(missing)},
        data={"by": by, "as_of": str(today), "period_end": str(award.period_end)},
    )
    return award


@transaction.atomic
def hold_place(*, actor, award: Award, reason: str) -> Hold:
    """Place a hold on an award's funds; drawdowns are refused while it is active."""
    access.require(access.can_manage_program(actor))
    award = Award.objects.select_for_update().get(pk=award.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the hold is placed."})
    hold = Hold.objects.create(
        award=award, reason=reason, placed_by=actor, placed_at=timezone.now()
    )
    audit_record(
        actor=actor,
        action="grants.hold.placed",
        obj=hold,
        task_force=award.task_force,
        after=snapshot(hold, ["award", "reason"]),
    )
    return hold


@transaction.atomic
def hold_lift(*, actor, hold: Hold, reason: str) -> Hold:
    access.require(access.can_manage_program(actor))
    Award.objects.select_for_update().get(pk=hold.award_id)
    hold = Hold.objects.get(pk=hold.pk)
    if hold.lifted_at is not None:
        raise ValidationError("This hold was already lifted.")
    if hold.cause == Hold.Cause.SPECIAL_CONDITION:
        # Lifting it by hand would leave the condition uncleared yet unenforced.
        raise ValidationError(
            "This hold enforces a special condition: it is lifted when the condition is "
            "cleared, on the award's oversight page."
        )
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the hold is lifted."})
    before = snapshot(hold, ["lifted_at", "lift_reason"])
    hold.lifted_at = timezone.now()
    hold.lifted_by = actor
    hold.lift_reason = reason
    hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
    audit_record(
        actor=actor,
        action="grants.hold.lifted",
        obj=hold,
        task_force=hold.award.task_force,
        before=before,
        after=snapshot(hold, ["lifted_at", "lift_reason"]),
    )
    return hold


@refusal_audited("grants.amendment.refused", on="award", attempted="record an amendment")
@transaction.atomic
def amendment_record(
    *,
    actor,
    award: Award,
    kind: str,
    description: str,
    requested_on: date,
    status: str = Amendment.Status.REQUESTED,
    decided_on: date | None = None,
    effective_on: date | None = None,
) -> Amendment:
    """Record a grant award modification. Its money effects come with their own workflows."""
    access.require(access.can_manage_program(actor))
    award = Award.objects.select_for_update().get(pk=award.pk)
    number = award.amendments.count() + 1
    amendment = Amendment(
        award=award,
        number=number,
        kind=kind,
        status=status,
        description=description,
        requested_on=requested_on,
        decided_on=decided_on,
        effective_on=effective_on,
        requested_by=actor,
        # Recorded after the fact: the decision was made outside the system, by the agency.
        decided_by=None,
    )
    amendment.full_clean()
    amendment.save()
    audit_record(
        actor=actor,
        action="grants.amendment.recorded",
        obj=amendment,
        task_force=award.task_force,
        after=snapshot(amendment),
    )
    return amendment


def hold_place_by_system(
    *, award: Award, cause: str, reason: str, placed_by: str, report_key: str = ""
) -> Hold | None:
    """The system's hold on an award (a late report, cash held too long): at most one
    active per cause and report, so running the daily job twice places nothing new.
    `placed_by` names the job that placed it, for the audit trail. Runs inside the
    caller's transaction, which holds the award lock."""
    if award.holds.filter(cause=cause, report_key=report_key, lifted_at__isnull=True).exists():
        return None
    hold = Hold.objects.create(
        award=award,
        reason=reason,
        cause=cause,
        report_key=report_key,
        placed_by=None,
        placed_at=timezone.now(),
    )
    after = {"reason": reason, "cause": cause}
    if report_key:
        after["report"] = report_key
    audit_record(
        actor=None,
        action="grants.hold.placed",
        obj=hold,
        task_force=award.task_force,
        after=after,
        data={"by": placed_by},
    )
    return hold


def holds_lift_by_system(
    *, actor, award: Award, cause: str, lift_reason: str, report_key: str = "", data=None
) -> int:
    """Lift the award's active holds of one cause (and report) once what caused them is
    gone. `actor` is the person whose action cleared it, or None for the daily job.
    Runs inside the caller's transaction, which holds the award lock."""
    lifted = 0
    holds = award.holds.filter(cause=cause, report_key=report_key, lifted_at__isnull=True)
    for hold in holds:
        hold.lifted_at, hold.lifted_by, hold.lift_reason = timezone.now(), actor, lift_reason
        hold.save(update_fields=["lifted_at", "lifted_by", "lift_reason"])
        after = {"lift_reason": lift_reason, "cause": cause}
        if report_key:
            after["report"] = report_key
        audit_record(
            actor=actor,
            action="grants.hold.lifted",
            obj=hold,
            task_force=award.task_force,
            after=after,
            data=data,
        )
        lifted += 1
    return lifted


@transaction.atomic
def hold_place_for_late_report(
    *, award: Award, report_key: str, reason: str, placed_by: str
) -> Hold | None:
    """The system's hold on an award whose report is overdue. At most one per report."""
    award = Award.objects.select_for_update().get(pk=award.pk)
    return hold_place_by_system(
        award=award,
        cause=Hold.Cause.LATE_REPORT,
        reason=reason,
        placed_by=placed_by,
        report_key=report_key,
    )


def holds_lift_for_report(*, actor, award: Award, report_key: str) -> int:
    """Lift the holds a late report caused, now that it is in. Runs inside the caller's
    transaction (the report's submission), which holds the award lock."""
    return holds_lift_by_system(
        actor=actor,
        award=award,
        cause=Hold.Cause.LATE_REPORT,
        lift_reason="Report submitted",
        report_key=report_key,
    )


def award_mark_closed(*, actor, award: Award) -> Award:
    """Close an award in closeout. Called by the closeout service once its checklist is
    complete, inside that service's transaction (which holds the award lock)."""
    access.require(access.can_manage_program(actor))
    if award.status != Award.Status.IN_CLOSEOUT:
        raise ValidationError("Only an award in closeout can be closed.")
    return _set_status(actor, award, Award.Status.CLOSED)


@refusal_audited("grants.award.refused", on="award", attempted="set drawdown approval")
@transaction.atomic
def award_set_drawdown_approval(*, actor, award: Award, required: bool, reason: str) -> Award:
    """Make an award's drawdowns wait for a financial approver (high-risk recipients),
    or go back to automatic approval."""
    access.require(access.can_manage_program(actor))
    award = Award.objects.select_for_update().get(pk=award.pk)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the approval rule changes."})
    before = snapshot(award, ["drawdowns_need_approval"])
    award.drawdowns_need_approval = required
    award.save(update_fields=["drawdowns_need_approval"])
    audit_record(
        actor=actor,
        action="grants.award.drawdown_approval_changed",
        obj=award,
        task_force=award.task_force,
        before=before,
        after=snapshot(award, ["drawdowns_need_approval"]),
        data={"reason": reason},
    )
    return award
