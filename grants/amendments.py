"""Amendments (grant award modifications): no-cost extensions, administrative changes,
and the grants side of supplements and budget modifications (the budgets app builds on
these for the parts that touch a budget).

Every amendment is requested by one person and decided by another (a database check
too); each keeps its request, decision and effective dates, and what it changed, so the
award's terms can be rebuilt as of any day (`award_terms_on`).
"""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from grants import access
from grants.audit import audit_record
from grants.duties import decided_by_another, lock_award
from grants.models import Amendment, Appropriation, Award, AwardFunding, FundingReturn, Recipient
from grants.money import ZERO, MoneySum, format_money, parse_money, sentence
from grants.months import add_months
from grants.refusals import refusal_audited
from grants.selectors import appropriation_shortfall, rule_value
from grants.services import FundingRequest, _lock_and_check_funding
from grants.text import clean_text

OPEN_FOR_AMENDMENTS = (Award.Status.ACCEPTED, Award.Status.ACTIVE)
# Recipient details an administrative change may correct.
RECIPIENT_FIELDS = ("legal_name", "street", "city", "state", "zip_code")


def check_open_for_amendments(award: Award) -> None:
    if award.status not in OPEN_FOR_AMENDMENTS:
        raise ValidationError(
            f"Award {award} is {award.get_status_display().lower()}; only accepted and active "
            "awards can be amended."
        )


OWN_DECISION = "The person who asked for a change cannot approve or reject it."


def amendment_open(
    *, award: Award, kind: str, description: str, requested_by, requested_on: date, **fields
) -> Amendment:
    """A new amendment in the requested state. The caller holds the award lock and has
    checked the requester's permission."""
    return amendment_add(
        award=award,
        kind=kind,
        status=Amendment.Status.REQUESTED,
        description=clean_text(description),
        requested_on=requested_on,
        requested_by=requested_by,
        **fields,
    )


def amendment_add(*, award: Award, **fields) -> Amendment:
    """Save the award's next amendment, numbered in order; the caller holds the award lock,
    so two amendments cannot take the same number."""
    amendment = Amendment(award=award, number=award.amendments.count() + 1, **fields)
    amendment.full_clean()
    amendment.save()
    return amendment


def amendment_close(
    *, amendment: Amendment, approve: bool, decided_by, decided_on: date, note: str = ""
) -> Amendment:
    """Record the decision; an approved amendment takes effect the day it is decided."""
    amendment.status = Amendment.Status.APPROVED if approve else Amendment.Status.REJECTED
    amendment.decided_by, amendment.decided_on = decided_by, decided_on
    amendment.effective_on = decided_on if approve else None
    amendment.decision_note = clean_text(note)
    amendment.save(
        update_fields=["status", "decided_by", "decided_on", "effective_on", "decision_note"]
    )
    if approve:
        _bring_under_current_guidance(amendment)
    return amendment


def _bring_under_current_guidance(amendment: Amendment) -> None:
    """An award amended on or after the 2024 revision's effective date comes under it
    (docs/rules/award-lifecycle-and-budgets.md#uniform-guidance-version). The caller holds the
    award lock."""
    award = Award.objects.get(pk=amendment.award_id)
    governing = Award.UniformGuidance.in_force_on(amendment.decided_on)
    if award.ug_version == governing or governing == Award.UniformGuidance.UG_2014:
        return
    before = award.ug_version
    award.ug_version = governing
    award.save(update_fields=["ug_version"])
    audit_record(
        actor=amendment.decided_by,
        action="grants.award.guidance_changed",
        obj=award,
        task_force=award.task_force,
        before={"ug_version": before},
        after={"ug_version": governing},
        data={"amendment": amendment.pk, "amendment_number": amendment.number},
    )


def supplement_check_available(*, appropriation, amount: Decimal) -> None:
    """An early, unlocked look: the binding check is `supplement_fund`, under the lock."""
    shortfall = appropriation_shortfall(appropriation, amount, asks="the supplement asks for")
    if shortfall:
        raise ValidationError({"supplement_amount": shortfall})


def supplement_fund(*, award: Award, amendment: Amendment, on: date | None = None) -> AwardFunding:
    """Add the supplement's funding line and raise the award's federal amount. Locks the
    appropriation row and checks what is left of it after set-asides and other awards.
    Runs inside the caller's transaction, which holds the award lock."""
    try:
        _lock_and_check_funding(
            [FundingRequest(amendment.appropriation_id, amendment.amount)],
            listing=award.assistance_listing,
            on=on or timezone.localdate(),
        )
    except ValidationError as error:
        raise ValidationError({"supplement_amount": error.message_dict["funding"]}) from None
    line = AwardFunding.objects.create(
        award=award,
        appropriation_id=amendment.appropriation_id,
        amount=amendment.amount,
        amendment=amendment,
    )
    before = str(award.federal_amount)
    award.federal_amount += amendment.amount
    award.save(update_fields=["federal_amount"])
    audit_record(
        actor=amendment.decided_by,
        action="grants.award.supplemented",
        obj=award,
        task_force=award.task_force,
        before={"federal_amount": before},
        after={"federal_amount": str(award.federal_amount)},
        data={
            "amendment": amendment.pk,
            "amendment_number": amendment.number,
            "appropriation": amendment.appropriation_id,
        },
    )
    return line


# --- Money given back: decreases, terminations, deobligation ------------------------

# Amendments that take money off an award; each holds the amount in Amendment.amount.
RETURNING_KINDS = (
    Amendment.Kind.DECREASE,
    Amendment.Kind.TERMINATION,
    Amendment.Kind.DEOBLIGATION,
)


def funding_line_balances(award: Award) -> list[tuple[AwardFunding, Decimal]]:
    """Each funding line with what of it is still on the award (its amount less what was
    given back from it), newest first: the order money goes back in."""
    lines = award.funding_lines.select_related("appropriation").order_by("-pk")
    returned = {
        row["funding_line"]: row["t"]
        for row in FundingReturn.objects.filter(funding_line__award=award)
        .values("funding_line")
        .annotate(t=MoneySum("amount"))
    }
    return [(line, line.amount - returned.get(line.pk, ZERO)) for line in lines]


@refusal_audited("grants.amendment.refused", on="award", attempted="return funding")
def funding_return(*, actor, award: Award, amendment: Amendment, on: date) -> list[FundingReturn]:
    """Give the amendment's amount back to the appropriations that paid for the award and
    lower the award's federal amount by it. Runs in the caller's transaction, which holds
    the award lock; locks the appropriation rows in id order, as funding does.

    The newest funding line goes back first, then the one before it, to the cent: money
    is spent oldest first (the oldest appropriation expires first), so what is left
    unspent is the newest money (docs/rules/deobligation.md#returned-to-the-appropriation).
    """
    amount = amendment.amount
    if amount is None or amount <= 0 or amount > award.federal_amount:
        raise ValidationError(
            f"{format_money(amount or ZERO)} cannot be taken off an award of "
            f"{format_money(award.federal_amount)}."
        )
    balances = funding_line_balances(award)
    ids = sorted({line.appropriation_id for line, _ in balances})
    list(Appropriation.objects.select_for_update().filter(pk__in=ids).order_by("pk"))
    returns, left = [], amount
    for line, remaining in balances:
        if left == ZERO:
            break
        part = min(left, remaining)
        if part <= ZERO:
            continue
        returns.append(
            FundingReturn.objects.create(
                funding_line=line,
                appropriation_id=line.appropriation_id,
                amendment=amendment,
                amount=part,
                returned_on=on,
            )
        )
        left -= part
    if left != ZERO:  # the lines hold less than the award's amount says: never expected
        raise ValidationError(
            f"The award's funding lines hold {format_money(amount - left)} of the "
            f"{format_money(amount)} to give back."
        )
    before = str(award.federal_amount)
    award.federal_amount -= amount
    award.save(update_fields=["federal_amount"])
    audit_record(
        actor=actor,
        action="grants.award.funds_returned",
        obj=award,
        task_force=award.task_force,
        before={"federal_amount": before},
        after={"federal_amount": str(award.federal_amount)},
        data={
            "amendment": amendment.pk,
            "amendment_number": amendment.number,
            "kind": amendment.kind,
            "returned": [
                {"appropriation": r.appropriation_id, "amount": str(r.amount)} for r in returns
            ],
        },
    )
    return returns


# --- No-cost extensions ----------------------------------------------------------------


def extension_limits(award: Award, *, on: date) -> tuple[date, date]:
    """The last day to ask for an extension and the latest end date it may set."""
    notice = int(rule_value("no_cost_extension_notice_days", on=on))
    months = int(rule_value("no_cost_extension_max_months", on=on))
    return award.period_end - timedelta(days=notice), add_months(award.period_end, months)


def extensions_approved(award: Award) -> list[Amendment]:
    """The award's approved no-cost extensions, first first."""
    return list(
        award.amendments.filter(
            kind=Amendment.Kind.NO_COST_EXTENSION, status=Amendment.Status.APPROVED
        ).order_by("number")
    )


def _check_justified(award: Award, justification: str) -> None:
    """A second (or later) extension needs a written justification
    (docs/rules/award-lifecycle-and-budgets.md#second-extensions)."""
    earlier = extensions_approved(award)
    if earlier and not justification:
        last = earlier[-1]
        raise ValidationError(
            {
                "justification": f"This award was already extended (amendment {last.number}, "
                f"to {last.period_end_after:%m/%d/%Y}): another extension needs a written "
                "justification saying why the work could not be finished in the time already "
                "added."
            }
        )


@transaction.atomic
def extension_request(
    *,
    actor,
    award: Award,
    new_end: date,
    reason: str,
    justification: str = "",
    today: date | None = None,
) -> Amendment:
    """Ask to move the award's end date, at least the rule's days before it ends and by
    at most the rule's months (docs/rules/award-lifecycle-and-budgets.md#no-cost-extensions);
    after an approved extension, only with a written justification."""
    award = lock_award(award.pk)
    access.require(
        access.can_request_extension(actor, award),
        "Only the task force's finance officers and grant administrators request extensions.",
    )
    check_open_for_amendments(award)
    today = today or timezone.localdate()
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the extension is needed."})
    justification = clean_text(justification)
    _check_justified(award, justification)
    last_day_to_ask, latest_end = extension_limits(award, on=today)
    notice = (award.period_end - last_day_to_ask).days
    if today > last_day_to_ask:
        raise ValidationError(
            f"A no-cost extension must be requested at least {notice} days before the period "
            f"ends ({award.period_end:%m/%d/%Y}); the last day to ask was "
            f"{last_day_to_ask:%m/%d/%Y}."
        )
    if new_end <= award.period_end:
        raise ValidationError(
            {
                "new_end": f"The new end date must be after the current one ({award.period_end:%m/%d/%Y})."
            }
        )
    if new_end > latest_end:
        months = int(rule_value("no_cost_extension_max_months", on=today))
        raise ValidationError(
            {
                "new_end": f"An extension is at most {months} months: the latest end date is "
                f"{latest_end:%m/%d/%Y}."
            }
        )
    if award.amendments.filter(
        kind=Amendment.Kind.NO_COST_EXTENSION, status=Amendment.Status.REQUESTED
    ).exists():
        raise ValidationError("An extension of this award is already waiting for a decision.")
    amendment = amendment_open(
        award=award,
        kind=Amendment.Kind.NO_COST_EXTENSION,
        description=reason,
        requested_by=actor,
        requested_on=today,
        period_end_before=award.period_end,
        period_end_after=new_end,
        justification=justification,
    )
    after = {
        "kind": amendment.kind,
        "period_end_before": str(award.period_end),
        "period_end_after": str(new_end),
    }
    if justification:
        after["justification"] = justification
    audit_record(
        actor=actor,
        action="grants.amendment.requested",
        obj=amendment,
        task_force=award.task_force,
        after=after,
    )
    return amendment


@refusal_audited("grants.amendment.refused", on="amendment", attempted="decide an extension")
@decided_by_another("amendment", action="grants.amendment.sod_violation", message=OWN_DECISION)
@transaction.atomic
def extension_decide(
    *, actor, amendment: Amendment, approve: bool, note: str = "", today: date | None = None
) -> Amendment:
    """Approve (the end date moves; the reporting calendar and the liquidation period,
    computed from it, follow) or reject (nothing changes) a no-cost extension."""
    today = today or timezone.localdate()
    award = lock_award(amendment.award_id)
    access.require(
        access.can_decide_amendments(actor), "Only a program manager decides extensions."
    )
    amendment = Amendment.objects.get(pk=amendment.pk)
    if amendment.requested_by_id == actor.pk:  # re-read under the lock
        raise PermissionDenied(OWN_DECISION)
    if amendment.kind != Amendment.Kind.NO_COST_EXTENSION:
        raise ValidationError("This amendment is decided on its budget page.")
    if amendment.status != Amendment.Status.REQUESTED:
        raise ValidationError(f"This amendment is {amendment.get_status_display().lower()}.")
    if not approve and not clean_text(note):
        raise ValidationError({"note": "Say why the extension is rejected."})
    if approve:  # rejecting stays possible once the award moves to closeout
        check_open_for_amendments(award)
    # Asked for while an earlier extension was still waiting, then approved: it has no
    # justification, and now needs one.
    if approve and not amendment.justification and extensions_approved(award):
        raise ValidationError(
            "The award was extended since this was requested, and a further extension "
            "needs a written justification: reject it and ask again with one."
        )
    if approve and amendment.period_end_before != award.period_end:
        raise ValidationError(
            f"The award's end date changed since this was requested (now "
            f"{award.period_end:%m/%d/%Y}); reject it and ask again."
        )
    amendment_close(
        amendment=amendment, approve=approve, decided_by=actor, decided_on=today, note=note
    )
    before = {"period_end": str(award.period_end)}
    if approve:
        award.period_end = amendment.period_end_after
        award.save(update_fields=["period_end"])
    audit_record(
        actor=actor,
        action="grants.amendment.approved" if approve else "grants.amendment.rejected",
        obj=amendment,
        task_force=award.task_force,
        before={"status": Amendment.Status.REQUESTED, **before},
        after={"status": amendment.status, "period_end": str(award.period_end)},
        data={"note": amendment.decision_note},
    )
    return amendment


# --- Administrative changes --------------------------------------------------------


@refusal_audited(
    "grants.amendment.refused", on="award", attempted="record an administrative amendment"
)
@transaction.atomic
def administrative_record(
    *,
    actor,
    award: Award,
    description: str,
    recipient_changes: dict[str, str] | None = None,
    today: date | None = None,
) -> Amendment:
    """Record a change of contacts or recipient details. It needs no approval: it takes
    effect when recorded, and the recipient's details before and after are kept."""
    award = lock_award(award.pk)
    access.require(
        access.can_record_administrative_change(actor, award),
        "Only a program manager or the task force's grant administrator records this.",
    )
    today = today or timezone.localdate()
    description = clean_text(description)
    if not description:
        raise ValidationError({"description": "Say what changes."})
    recipient = Recipient.objects.select_for_update().get(pk=award.recipient_id)
    changes = {}
    for field, value in (recipient_changes or {}).items():
        if field not in RECIPIENT_FIELDS:
            raise ValidationError(f"{field} is not a recipient detail that can be changed here.")
        value = clean_text(value)
        if value and value != getattr(recipient, field):
            changes[field] = [getattr(recipient, field), value]
            setattr(recipient, field, value)
    if changes:
        recipient.full_clean()
        recipient.save(update_fields=list(changes))
    amendment = amendment_add(
        award=award,
        kind=Amendment.Kind.ADMINISTRATIVE,
        status=Amendment.Status.APPROVED,
        description=description,
        requested_on=today,
        requested_by=actor,
        decided_on=today,
        effective_on=today,
        changes={"recipient": changes} if changes else {},
    )
    audit_record(
        actor=actor,
        action="grants.amendment.recorded",
        obj=amendment,
        task_force=award.task_force,
        before={f"recipient.{k}": v[0] for k, v in changes.items()},
        after={f"recipient.{k}": v[1] for k, v in changes.items()},
        data={"kind": amendment.kind, "description": description},
    )
    return amendment


# --- Changes in the recipient's share (match) --------------------------------------------

# The key of a match change in Amendment.changes: [required before, required after].
MATCH_CHANGE = "match_required"


def _match_changes(award: Award):
    """The award's approved changes of the required match, in the order they took effect."""
    return [
        amendment
        for amendment in award.amendments.filter(status=Amendment.Status.APPROVED).order_by(
            "effective_on", "number"
        )
        if MATCH_CHANGE in amendment.changes
    ]


def match_required_on(award: Award, day: date) -> Decimal:
    """The recipient's share required (SF-425 10i) in force on a day: the award keeps the
    latest amount, and a change that took effect after `day` is undone, so a report for an
    earlier period shows the match then required (docs/rules/sf425.md#transaction-lines)."""
    later = [a for a in _match_changes(award) if a.effective_on > day]
    return Decimal(later[0].changes[MATCH_CHANGE][0]) if later else award.match_required


@refusal_audited("grants.amendment.refused", on="award", attempted="record a match change")
@transaction.atomic
def match_change_record(
    *,
    actor,
    award: Award,
    match_required,
    description: str,
    effective_on: date,
    today: date | None = None,
) -> Amendment:
    """Record the awarding agency's approved change in the recipient's share required (a
    change in cost sharing needs its prior approval, 2 CFR 200.308): the award's match
    changes from `effective_on`, and reports for earlier periods keep the amount then in
    force (docs/rules/award-lifecycle-and-budgets.md#match-changes)."""
    award = lock_award(award.pk)
    access.require(
        access.can_manage_program(actor), "Only a program manager records a change of match."
    )
    check_open_for_amendments(award)
    today = today or timezone.localdate()
    try:
        new = parse_money(match_required)
    except (ValueError, TypeError) as error:
        raise ValidationError({"match_required": sentence(error)}) from None
    if new < 0:
        raise ValidationError({"match_required": "Enter an amount of zero or more."})
    description = clean_text(description)
    if not description:
        raise ValidationError({"description": "Say why the match changes."})
    if new == award.match_required:
        raise ValidationError(
            {"match_required": f"The award already requires {format_money(new)} of match."}
        )
    if effective_on > today:
        raise ValidationError({"effective_on": f"{effective_on:%m/%d/%Y} is in the future."})
    earliest = max([award.period_start] + [a.effective_on for a in _match_changes(award)])
    if effective_on < earliest:
        raise ValidationError(
            {
                "effective_on": f"A change of match takes effect on or after "
                f"{earliest:%m/%d/%Y} (the period's start or the last change of match)."
            }
        )
    before = award.match_required
    amendment = amendment_add(
        award=award,
        kind=Amendment.Kind.BUDGET_MODIFICATION,
        status=Amendment.Status.APPROVED,
        description=description,
        requested_on=effective_on,
        requested_by=actor,
        # Decided by the awarding agency outside the system, as amendment_record says.
        decided_on=effective_on,
        effective_on=effective_on,
        changes={MATCH_CHANGE: [str(before), str(new)]},
    )
    award.match_required = new
    award.save(update_fields=["match_required"])
    audit_record(
        actor=actor,
        action="grants.award.match_changed",
        obj=award,
        task_force=award.task_force,
        before={"match_required": str(before)},
        after={"match_required": str(new)},
        data={
            "amendment": amendment.pk,
            "amendment_number": amendment.number,
            "effective_on": str(effective_on),
        },
    )
    return amendment


# --- Terms as of a date ----------------------------------------------------------------


@dataclass(frozen=True)
class Terms:
    on: date
    period_start: date
    period_end: date
    federal_amount: Decimal
    funding_lines: list[AwardFunding]
    amendments_in_effect: list[Amendment]
    match_required: Decimal = ZERO


def award_exists_from(award: Award) -> date:
    """The first day the award had terms: the day it was recorded or, for an award recorded
    after its period began (history entered later), the first day of its period."""
    return min(timezone.localtime(award.created_at).date(), award.period_start)


def award_terms_on(award: Award, on: date) -> Terms:
    """The award's period and funding as they stood on a day: approved amendments that
    took effect later are undone (an extension's earlier end date, a supplement's line)."""
    approved = list(
        award.amendments.filter(status=Amendment.Status.APPROVED).order_by("effective_on", "number")
    )
    period_end = award.period_end
    for amendment in reversed(approved):
        if amendment.effective_on > on and amendment.period_end_before:
            period_end = amendment.period_end_before
    later = {a.pk for a in approved if a.effective_on > on}
    lines = [
        line
        for line in award.funding_lines.select_related("appropriation", "amendment").order_by("pk")
        if line.amendment_id is None or line.amendment_id not in later
    ]
    # Money given back by then (decreases, terminations, deobligation) is off the award.
    returned = FundingReturn.objects.filter(
        funding_line__award=award, returned_on__lte=on
    ).aggregate(t=MoneySum("amount", default=ZERO))["t"]
    return Terms(
        on=on,
        period_start=award.period_start,
        period_end=period_end,
        federal_amount=sum((line.amount for line in lines), ZERO) - returned,
        funding_lines=lines,
        amendments_in_effect=[a for a in approved if a.effective_on <= on],
        match_required=match_required_on(award, on),
    )
