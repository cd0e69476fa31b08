"""The writes of compliance: one function per use case, each in a transaction that
locks the row the rule is about, checks the permission, validates, writes and records
its audit event (docs/rules/compliance.md)."""

from datetime import date, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from budgets.models import Category, LedgerEntry
from compliance import sam_holds
from compliance.models import (
    FAC_REPORT_ID_RE,
    AuditFinding,
    EquipmentItem,
    SamRegistration,
    SingleAudit,
    Subaward,
    SubawardSpending,
    Subrecipient,
    validate_fac_report_id,
    validate_finding_reference,
)
from compliance.report_types import ffata_of
from compliance.selectors import spent_by_subaward, subaward_room
from grants import access
from grants.audit import audit_record, snapshot
from grants.duties import lock_award
from grants.models import UG_2024_EFFECTIVE, Award, Membership, Recipient, TaskForce
from grants.money import checked_amount, format_money
from grants.selectors import rule_value
from grants.text import clean_text

EQUIPMENT_THRESHOLD = "equipment_threshold"


def equipment_threshold(award: Award, acquired_on: date) -> Decimal:
    """The equipment threshold for an item `award` paid for: the one in force on the
    purchase date under the award's Uniform Guidance version. The 2024 revision's
    $10,000 governs awards made (or amended onto it) from 2024-10-01 and is not
    retroactive: an award under the 2014 text keeps $5,000, whenever it buys
    (docs/rules/compliance.md#equipment)."""
    on = acquired_on
    if award.ug_version == Award.UniformGuidance.UG_2014:
        on = min(on, UG_2024_EFFECTIVE - timedelta(days=1))
    return rule_value(EQUIPMENT_THRESHOLD, on=on)


def _full_clean(obj) -> None:
    """The model's own validation (formats such as the UEI), as a form would show it."""
    obj.full_clean(validate_unique=False, validate_constraints=False)


def officer_of(user, task_force_id: int) -> bool:
    return task_force_id in access.task_force_ids(user, roles=(Membership.Role.FINANCE_OFFICER,))


def officer_for_recipient(user, recipient: Recipient) -> bool:
    """A finance officer of a task force the recipient leads or holds an award of."""
    ids = access.task_force_ids(user, roles=(Membership.Role.FINANCE_OFFICER,))
    return TaskForce.objects.filter(
        Q(lead_organization=recipient) | Q(awards__recipient=recipient), pk__in=ids
    ).exists()


def may_record_for_recipient(user, recipient: Recipient) -> bool:
    """Program managers and the recipient's finance officers record its registration,
    its single audits and their findings."""
    return access.can_manage_program(user) or officer_for_recipient(user, recipient)


# --- Subrecipients and subawards (2 CFR 200.331-.332) ---------------------------------


@transaction.atomic
def subrecipient_create(
    *, actor, task_force: TaskForce, legal_name: str, uei: str, ein: str = ""
) -> Subrecipient:
    access.require(
        officer_of(actor, task_force.pk),
        "Only the task force's finance officers add subrecipients.",
    )
    sub = Subrecipient(
        task_force=task_force,
        legal_name=clean_text(legal_name),
        uei=clean_text(uei).upper(),
        ein=clean_text(ein),
        created_by=actor,
    )
    _full_clean(sub)
    if Subrecipient.objects.filter(task_force=task_force, uei=sub.uei).exists():
        raise ValidationError({"uei": f"A subrecipient with UEI {sub.uei} is already recorded."})
    sub.save()
    audit_record(
        actor=actor,
        action="compliance.subrecipient.created",
        obj=sub,
        task_force=task_force,
        after=snapshot(sub),
    )
    return sub


@transaction.atomic
def subaward_create(
    *,
    actor,
    award: Award,
    subrecipient: Subrecipient,
    agreement_number: str,
    amount,
    signed_on: date,
    purpose: str,
    today: date | None = None,
) -> Subaward:
    """Record a subaward agreement. Refused above what the award has left for subawards:
    its approved federal budget for category G less the subawards already made on it,
    read under the award's lock so two subawards made at once cannot both take the last
    of it."""
    award = lock_award(award.pk)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record subawards.",
    )
    today = today or timezone.localdate()
    amount = checked_amount(amount, "amount")
    if subrecipient.task_force_id != award.task_force_id:
        raise ValidationError({"subrecipient": "Choose one of this task force's subrecipients."})
    if award.status not in (Award.Status.ACTIVE, Award.Status.ACCEPTED):
        raise ValidationError(
            f"Award {award} is {award.get_status_display().lower()}: subawards are made on an accepted or active award."
        )
    if signed_on > today:
        raise ValidationError({"signed_on": "The date signed cannot be in the future."})
    if not award.period_start <= signed_on <= award.period_end:
        raise ValidationError(
            {
                "signed_on": f"A subaward is made within the period of performance, {award.period_start:%m/%d/%Y} to {award.period_end:%m/%d/%Y}."
            }
        )
    agreement_number = clean_text(agreement_number)
    if not agreement_number:
        raise ValidationError({"agreement_number": "Enter the agreement's number."})
    if Subaward.objects.filter(award=award, agreement_number=agreement_number).exists():
        raise ValidationError(
            {"agreement_number": f"Agreement {agreement_number} is already recorded on this award."}
        )
    room = subaward_room(award)
    if amount > room.left:
        raise ValidationError(
            {
                "amount": f"{format_money(amount)} is {format_money(amount - room.left)} more than the award has left "
                f"for subawards: {format_money(room.budget)} approved for subawards (category G) less "
                f"{format_money(room.subawarded)} already subawarded leaves {format_money(room.left)}."
            }
        )
    subaward = Subaward.objects.create(
        award=award,
        subrecipient=subrecipient,
        agreement_number=agreement_number,
        amount=amount,
        signed_on=signed_on,
        purpose=clean_text(purpose),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="compliance.subaward.created",
        obj=subaward,
        task_force=award.task_force,
        after={**snapshot(subaward), "ffata_reportable": ffata_of(amount, signed_on).reportable},
    )
    return subaward


def spending_candidates(award: Award):
    """The ledger entries that may be a subaward's spending: federal category G
    expenditures of the award, not reversals, not reversed, not yet linked."""
    return (
        LedgerEntry.objects.filter(
            award=award,
            kind="expenditure",
            category=Category.SUBAWARDS,
            share=LedgerEntry.Share.FEDERAL,
            reverses__isnull=True,
            reversed_by__isnull=True,
        )
        .exclude(pk__in=SubawardSpending.objects.values("entry_id"))
        .order_by("effective_date", "pk")
    )


@transaction.atomic
def subaward_spending_link(*, actor, subaward: Subaward, entry: LedgerEntry) -> SubawardSpending:
    """Say which subaward a category G expenditure paid. Its total stays within the
    subaward's amount."""
    award = lock_award(subaward.award_id)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record subaward spending.",
    )
    subaward = Subaward.objects.get(pk=subaward.pk)
    if not spending_candidates(award).filter(pk=entry.pk).exists():
        raise ValidationError(
            {
                "entry": "Choose a federal category G (subawards) expenditure of this award that is not reversed and not yet linked to a subaward."
            }
        )
    spent = subaward_spent(subaward)
    if spent + entry.amount > subaward.amount:
        raise ValidationError(
            {
                "entry": f"This {format_money(entry.amount)} would bring the subaward's spending to "
                f"{format_money(spent + entry.amount)}, more than its {format_money(subaward.amount)}."
            }
        )
    link = SubawardSpending.objects.create(subaward=subaward, entry=entry, linked_by=actor)
    audit_record(
        actor=actor,
        action="compliance.subaward.spending_linked",
        obj=subaward,
        task_force=award.task_force,
        data={"entry": entry.pk, "amount": str(entry.amount)},
    )
    return link


def subaward_spent(subaward: Subaward) -> Decimal:
    return spent_by_subaward([subaward.pk]).get(subaward.pk, Decimal("0.00"))


# --- SAM.gov registrations ------------------------------------------------------------


@transaction.atomic
def sam_registration_record(
    *,
    actor,
    expires_on: date,
    recipient: Recipient | None = None,
    subrecipient: Subrecipient | None = None,
    today: date | None = None,
) -> SamRegistration:
    """Record when an entity's SAM.gov registration expires (a new registration or a
    renewal). A recipient whose registration has lapsed gets a hold on its awards'
    drawdowns; recording a renewal lifts it."""
    today = today or timezone.localdate()
    if (recipient is None) == (subrecipient is None):
        raise ValueError("Pass a recipient or a subrecipient.")
    if recipient is not None:
        access.require(
            access.can_manage_program(actor) or officer_for_recipient(actor, recipient),
            "Only program managers and the recipient's finance officers record its SAM.gov registration.",
        )
        Recipient.objects.select_for_update().get(pk=recipient.pk)
        lookup = {"recipient": recipient}
        task_force = None
    else:
        access.require(
            officer_of(actor, subrecipient.task_force_id),
            "Only the task force's finance officers record its subrecipients' SAM.gov registrations.",
        )
        lookup = {"subrecipient": subrecipient}
        task_force = subrecipient.task_force
    registration = SamRegistration.objects.select_for_update().filter(**lookup).first()
    before = {"expires_on": str(registration.expires_on)} if registration else {}
    if registration is None:
        registration = SamRegistration(**lookup, expires_on=expires_on, updated_by=actor)
    registration.expires_on, registration.updated_by = expires_on, actor
    registration.save()
    audit_record(
        actor=actor,
        action="compliance.sam_registration.recorded",
        obj=registration,
        task_force=task_force,
        before=before,
        after={"expires_on": str(expires_on), "entity": registration.entity_name},
    )
    if recipient is not None:
        sam_holds.sync_recipient(recipient, registration, actor=actor, today=today)
    return registration


# --- Single audits (2 CFR 200.501-.521) ---------------------------------------------


@transaction.atomic
def single_audit_record(
    *,
    actor,
    recipient: Recipient,
    fiscal_year_end: date,
    auditor: str = "",
    auditor_report_on: date | None = None,
    fac_report_id: str = "",
    fac_accepted_on: date | None = None,
    today: date | None = None,
) -> SingleAudit:
    """Record what is known of a fiscal year's single audit: the auditor and the date of
    its report, the FAC report ID and the date the FAC accepted it."""
    from compliance.single_audit import fiscal_year_ending

    today = today or timezone.localdate()
    access.require(
        access.can_manage_program(actor) or officer_for_recipient(actor, recipient),
        "Only program managers and the recipient's finance officers record its single audits.",
    )
    Recipient.objects.select_for_update().get(pk=recipient.pk)
    try:
        fiscal_year_ending(recipient, fiscal_year_end)
    except ValueError:
        raise ValidationError(
            {
                "fiscal_year_end": f"{recipient} closes its fiscal year on {recipient.fiscal_year_end}, not {fiscal_year_end:%B %-d}."
            }
        ) from None
    fac_report_id = clean_text(fac_report_id).upper()
    errors = {}
    if fac_report_id:
        try:
            validate_fac_report_id(fac_report_id)
        except ValidationError as error:
            errors["fac_report_id"] = error.messages
        else:
            match = FAC_REPORT_ID_RE.match(fac_report_id)
            if (int(match["year"]), int(match["month"])) != (
                fiscal_year_end.year,
                fiscal_year_end.month,
            ):
                errors["fac_report_id"] = [
                    f"{fac_report_id} names a fiscal year ending in {match['month']}/{match['year']}; "
                    f"this audit's year ends {fiscal_year_end:%m/%Y}, so its ID begins {fiscal_year_end:%Y-%m}-."
                ]
    if auditor_report_on and auditor_report_on <= fiscal_year_end:
        errors["auditor_report_on"] = ["The auditor reports after the fiscal year ends."]
    for field, day in (
        ("auditor_report_on", auditor_report_on),
        ("fac_accepted_on", fac_accepted_on),
    ):
        if day and day > today:
            errors.setdefault(field, []).append("This date cannot be in the future.")
    if fac_accepted_on and not fac_report_id:
        errors["fac_report_id"] = ["Enter the FAC report ID of the audit the FAC accepted."]
    if fac_accepted_on and auditor_report_on and fac_accepted_on < auditor_report_on:
        errors.setdefault("fac_accepted_on", []).append(
            "The FAC accepts the audit after the auditor's report."
        )
    if errors:
        raise ValidationError(errors)
    audit, created = SingleAudit.objects.select_for_update().get_or_create(
        recipient=recipient, fiscal_year_end=fiscal_year_end, defaults={"updated_by": actor}
    )
    before = (
        {}
        if created
        else snapshot(audit, ["auditor", "auditor_report_on", "fac_report_id", "fac_accepted_on"])
    )
    audit.auditor = clean_text(auditor)
    audit.auditor_report_on, audit.fac_report_id, audit.fac_accepted_on = (
        auditor_report_on,
        fac_report_id,
        fac_accepted_on,
    )
    audit.updated_by = actor
    audit.save()
    audit_record(
        actor=actor,
        action="compliance.single_audit.recorded",
        obj=audit,
        before=before,
        after=snapshot(audit, ["auditor", "auditor_report_on", "fac_report_id", "fac_accepted_on"]),
    )
    return audit


@transaction.atomic
def finding_record(
    *,
    actor,
    audit: SingleAudit,
    reference: str,
    summary: str,
    questioned_costs="0",
    award: Award | None = None,
) -> AuditFinding:
    access.require(
        access.can_manage_program(actor) or officer_for_recipient(actor, audit.recipient),
        "Only program managers and the recipient's finance officers record audit findings.",
    )
    reference = clean_text(reference)
    try:
        validate_finding_reference(reference)
    except ValidationError as error:
        raise ValidationError({"reference": error.messages}) from None
    if award is not None and award.recipient_id != audit.recipient_id:
        raise ValidationError({"award": "Choose one of the recipient's awards."})
    if AuditFinding.objects.filter(audit=audit, reference=reference).exists():
        raise ValidationError(
            {"reference": f"Finding {reference} is already recorded for this audit."}
        )
    if not clean_text(summary):
        raise ValidationError({"summary": "Say what the auditor found."})
    questioned = checked_amount(questioned_costs or "0", "questioned_costs", allow_zero=True)
    finding = AuditFinding.objects.create(
        audit=audit,
        reference=reference,
        award=award,
        summary=clean_text(summary),
        questioned_costs=questioned,
        recorded_by=actor,
    )
    audit_record(
        actor=actor, action="compliance.finding.recorded", obj=finding, after=snapshot(finding)
    )
    return finding


@transaction.atomic
def management_decision_record(
    *,
    actor,
    finding: AuditFinding,
    decision: str,
    decision_on: date,
    corrective_action: str = "",
    today: date | None = None,
) -> AuditFinding:
    """The awarding agency's management decision on a finding (2 CFR 200.521): program
    managers record it."""
    access.require(
        access.can_manage_program(actor), "Only program managers record management decisions."
    )
    today = today or timezone.localdate()
    finding = AuditFinding.objects.select_for_update().get(pk=finding.pk)
    if decision not in AuditFinding.Decision.values:
        raise ValidationError({"decision": "Choose whether the finding is sustained."})
    if decision_on > today:
        raise ValidationError({"decision_on": "The decision date cannot be in the future."})
    corrective_action = clean_text(corrective_action)
    if decision == AuditFinding.Decision.SUSTAINED and not corrective_action:
        raise ValidationError(
            {"corrective_action": "A sustained finding needs the corrective action required."}
        )
    before = snapshot(finding, ["decision", "decision_on", "corrective_action"])
    finding.decision, finding.decision_on, finding.corrective_action = (
        decision,
        decision_on,
        corrective_action,
    )
    finding.save(update_fields=["decision", "decision_on", "corrective_action"])
    audit_record(
        actor=actor,
        action="compliance.finding.decided",
        obj=finding,
        before=before,
        after=snapshot(finding, ["decision", "decision_on", "corrective_action"]),
    )
    return finding


# --- Equipment (2 CFR 200.313) ------------------------------------------------------


def equipment_entries(award: Award):
    """The federal or recipient category D (equipment) expenditures of the award that
    are not reversals and not reversed: what an item of equipment may be paid by."""
    return LedgerEntry.objects.filter(
        award=award,
        kind="expenditure",
        category=Category.EQUIPMENT,
        reverses__isnull=True,
        reversed_by__isnull=True,
    ).order_by("effective_date", "pk")


@transaction.atomic
def equipment_record(
    *,
    actor,
    award: Award,
    entry: LedgerEntry,
    description: str,
    tag: str,
    unit_cost,
    acquired_on: date,
    location: str,
    today: date | None = None,
) -> EquipmentItem:
    """Record an item of equipment. Refused below the equipment threshold of the award's
    terms (a supply, category E) and unless a category D expenditure of the award paid
    for it."""
    award = lock_award(award.pk)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record equipment.",
    )
    today = today or timezone.localdate()
    unit_cost = checked_amount(unit_cost, "unit_cost")
    if acquired_on > today:
        raise ValidationError({"acquired_on": "The date bought cannot be in the future."})
    threshold = equipment_threshold(award, acquired_on)
    if unit_cost < threshold:
        raise ValidationError(
            {
                "unit_cost": f"An item costing {format_money(unit_cost)} bought on {acquired_on:%m/%d/%Y} is below the "
                f"equipment threshold of award {award}'s terms ({award.get_ug_version_display()}), "
                f"{format_money(threshold)} per unit (2 CFR 200.1): it is a supply (category E), "
                "not equipment."
            }
        )
    if not equipment_entries(award).filter(pk=entry.pk).exists():
        raise ValidationError(
            {
                "entry": "Choose a category D (equipment) expenditure of this award that is not reversed."
            }
        )
    tag = clean_text(tag)
    if not tag:
        raise ValidationError({"tag": "Enter the property tag or serial number."})
    if EquipmentItem.objects.filter(award=award, tag=tag).exists():
        raise ValidationError({"tag": f"An item tagged {tag} is already recorded on this award."})
    item = EquipmentItem.objects.create(
        award=award,
        entry=entry,
        description=clean_text(description),
        tag=tag,
        unit_cost=unit_cost,
        acquired_on=acquired_on,
        location=clean_text(location),
        created_by=actor,
    )
    audit_record(
        actor=actor,
        action="compliance.equipment.recorded",
        obj=item,
        task_force=award.task_force,
        after=snapshot(item),
    )
    return item


@transaction.atomic
def equipment_inventory_record(
    *,
    actor,
    item: EquipmentItem,
    counted_on: date,
    condition: str,
    location: str,
    today: date | None = None,
) -> EquipmentItem:
    """A physical inventory found the item (2 CFR 200.313(d)(2): at least every two years)."""
    award = lock_award(item.award_id)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record inventories.",
    )
    today = today or timezone.localdate()
    item = EquipmentItem.objects.get(pk=item.pk)
    if item.disposition:
        raise ValidationError("This item has been disposed of.")
    if counted_on > today or counted_on < item.acquired_on:
        raise ValidationError(
            {"counted_on": "The inventory date is between the date bought and today."}
        )
    before = snapshot(item, ["last_inventory_on", "condition", "location"])
    item.last_inventory_on, item.condition = counted_on, clean_text(condition)
    item.location = clean_text(location) or item.location
    item.save(update_fields=["last_inventory_on", "condition", "location"])
    audit_record(
        actor=actor,
        action="compliance.equipment.inventoried",
        obj=item,
        task_force=award.task_force,
        before=before,
        after=snapshot(item, ["last_inventory_on", "condition", "location"]),
    )
    return item


@transaction.atomic
def equipment_dispose(
    *,
    actor,
    item: EquipmentItem,
    disposition: str,
    disposed_on: date,
    proceeds="0",
    today: date | None = None,
) -> EquipmentItem:
    """What became of the item (2 CFR 200.313(e)), recorded at closeout or before."""
    award = lock_award(item.award_id)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record dispositions.",
    )
    today = today or timezone.localdate()
    item = EquipmentItem.objects.get(pk=item.pk)
    if item.disposition:
        raise ValidationError("This item's disposition is already recorded.")
    if disposition not in EquipmentItem.Disposition.values:
        raise ValidationError({"disposition": "Choose what became of the item."})
    if disposed_on > today or disposed_on < item.acquired_on:
        raise ValidationError({"disposed_on": "The date is between the date bought and today."})
    proceeds = checked_amount(proceeds or "0", "disposition_proceeds", allow_zero=True)
    if proceeds and disposition != EquipmentItem.Disposition.SOLD:
        raise ValidationError({"disposition_proceeds": "Only a sale has proceeds."})
    item.disposition, item.disposed_on, item.disposition_proceeds = (
        disposition,
        disposed_on,
        proceeds,
    )
    item.save(update_fields=["disposition", "disposed_on", "disposition_proceeds"])
    audit_record(
        actor=actor,
        action="compliance.equipment.disposed",
        obj=item,
        task_force=award.task_force,
        after=snapshot(item, ["disposition", "disposed_on", "disposition_proceeds"]),
    )
    return item
