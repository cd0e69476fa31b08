"""What the recipient owes beyond its reports: single audits and their findings,
subrecipients and their subawards, SAM.gov registrations, equipment bought with award
funds, and the FFATA subaward report (docs/rules/compliance.md)."""

import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q

from budgets.models import LedgerEntry
from grants.models import Award, Recipient, TaskForce, validate_ein, validate_uei
from grants.money import money_field
from reports.models import FiledReport, ReviewStatus

# Federal Audit Clearinghouse report ID: the year and month the audited fiscal year
# ended, the system that took it in (GSAFAC since October 2023, CENSUS for earlier
# audits migrated from the Census Bureau) and a ten-digit sequence:
# "2024-06-GSAFAC-0000345049".
FAC_REPORT_ID_RE = re.compile(r"^(?P<year>\d{4})-(?P<month>0[1-9]|1[0-2])-(GSAFAC|CENSUS)-\d{10}$")
# An audit finding's reference number (2 CFR 200.516(c)): audit year and a sequence,
# "2024-001".
FINDING_REFERENCE_RE = re.compile(r"^\d{4}-\d{3}$")


def validate_fac_report_id(value: str) -> None:
    if not FAC_REPORT_ID_RE.match(value or ""):
        raise ValidationError(
            "A Federal Audit Clearinghouse report ID is written YYYY-MM-GSAFAC-NNNNNNNNNN: "
            "the year and month the fiscal year ended, GSAFAC (or CENSUS for audits before "
            "October 2023) and ten digits, such as 2024-06-GSAFAC-0000345049.",
            code="invalid_fac_report_id",
        )


def validate_finding_reference(value: str) -> None:
    if not FINDING_REFERENCE_RE.match(value or ""):
        raise ValidationError(
            "A finding reference number is the audit year and three digits, such as 2024-001.",
            code="invalid_finding_reference",
        )


class Subrecipient(models.Model):
    """An affiliate agency a task force passes award funds to (2 CFR 200.331)."""

    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="+")
    legal_name = models.CharField(max_length=200)
    uei = models.CharField("UEI", max_length=12, validators=[validate_uei])
    ein = models.CharField("EIN", max_length=10, blank=True, validators=[validate_ein])
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["task_force", "uei"], name="compliance_subrecipient_uei_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.legal_name} (UEI {self.uei})"


class Subaward(models.Model):
    """A subaward agreement under an award. Its spending is the award's ledger: the
    category G expenditures linked to it (SubawardSpending)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="subawards")
    subrecipient = models.ForeignKey(
        Subrecipient, on_delete=models.PROTECT, related_name="subawards"
    )
    agreement_number = models.CharField(max_length=60)
    amount = money_field()
    signed_on = models.DateField("Date signed")
    purpose = models.CharField(max_length=500)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["award", "signed_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="compliance_subaward_amount_positive"
            ),
            models.UniqueConstraint(
                fields=["award", "agreement_number"], name="compliance_subaward_number_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"Subaward {self.agreement_number} to {self.subrecipient.legal_name}"


class SubawardSpending(models.Model):
    """A federal category G expenditure of the award's ledger, paid to a subrecipient
    under one subaward. The ledger holds the amount; this only says whose it is."""

    subaward = models.ForeignKey(Subaward, on_delete=models.PROTECT, related_name="spending")
    entry = models.OneToOneField(LedgerEntry, on_delete=models.PROTECT, related_name="+")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    linked_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["entry__effective_date", "pk"]

    def __str__(self) -> str:
        return f"{self.entry} under {self.subaward}"


class SamRegistration(models.Model):
    """When a recipient's or a subrecipient's SAM.gov registration expires. One row per
    entity, moved forward on renewal (every change is an audit event)."""

    recipient = models.OneToOneField(
        Recipient, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    subrecipient = models.OneToOneField(
        Subrecipient, on_delete=models.PROTECT, null=True, blank=True, related_name="sam"
    )
    expires_on = models.DateField("Registration expires on")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["expires_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(recipient__isnull=False, subrecipient__isnull=True)
                | Q(recipient__isnull=True, subrecipient__isnull=False),
                name="compliance_sam_one_entity",
            ),
        ]

    def __str__(self) -> str:
        return f"SAM.gov registration of {self.entity_name}, expires {self.expires_on}"

    @property
    def entity(self):
        return self.recipient or self.subrecipient

    @property
    def entity_name(self) -> str:
        return self.entity.legal_name


class SamReminder(models.Model):
    """A reminder sent before a registration expires, so none is sent twice for the same
    expiry date."""

    registration = models.ForeignKey(
        SamRegistration, on_delete=models.CASCADE, related_name="reminders"
    )
    expires_on = models.DateField()
    days_before = models.PositiveSmallIntegerField()
    sent_on = models.DateField()
    recipients = models.TextField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "expires_on", "days_before"],
                name="compliance_sam_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.days_before}-day reminder of {self.registration}"


class SingleAudit(models.Model):
    """A recipient's single audit of one fiscal year (2 CFR 200.501-.512): what the
    auditor reported and when it reached the Federal Audit Clearinghouse. Whether it is
    required and when it is due are computed (compliance.single_audit), never stored."""

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="+")
    fiscal_year_end = models.DateField()
    auditor = models.CharField(max_length=200, blank=True)
    auditor_report_on = models.DateField("Date of the auditor's report", null=True, blank=True)
    fac_report_id = models.CharField(
        "FAC report ID", max_length=30, blank=True, validators=[validate_fac_report_id]
    )
    fac_accepted_on = models.DateField("Date the FAC accepted it", null=True, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["recipient", "-fiscal_year_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "fiscal_year_end"], name="compliance_single_audit_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(fac_accepted_on__isnull=True) | ~Q(fac_report_id=""),
                name="compliance_single_audit_accepted_has_id",
            ),
            models.CheckConstraint(
                condition=Q(auditor_report_on__isnull=True)
                | Q(auditor_report_on__gt=F("fiscal_year_end")),
                name="compliance_single_audit_report_after_year",
            ),
        ]

    def __str__(self) -> str:
        return f"Single audit of {self.recipient}, fiscal year ending {self.fiscal_year_end}"


class AuditFinding(models.Model):
    """A finding of a single audit on this program's awards, and the management decision
    on it (2 CFR 200.521): whether it is sustained, and the corrective action."""

    class Decision(models.TextChoices):
        SUSTAINED = "sustained", "Sustained: corrective action required"
        NOT_SUSTAINED = "not_sustained", "Not sustained"

    audit = models.ForeignKey(SingleAudit, on_delete=models.PROTECT, related_name="findings")
    reference = models.CharField(
        "Reference number", max_length=8, validators=[validate_finding_reference]
    )
    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    summary = models.TextField(max_length=2000)
    questioned_costs = money_field(default=0)
    decision = models.CharField(max_length=20, choices=Decision.choices, blank=True)
    decision_on = models.DateField("Date of the management decision", null=True, blank=True)
    corrective_action = models.TextField("Corrective action plan", max_length=2000, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["audit", "reference"]
        constraints = [
            models.UniqueConstraint(
                fields=["audit", "reference"], name="compliance_finding_reference_unique"
            ),
            models.CheckConstraint(
                condition=Q(questioned_costs__gte=0), name="compliance_finding_costs_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(decision="", decision_on__isnull=True)
                | (~Q(decision="") & Q(decision_on__isnull=False)),
                name="compliance_finding_decision_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"Finding {self.reference}"


class Disposition(models.TextChoices):
    KEPT = "kept", "Kept for the project or other federal programs"
    SOLD = "sold", "Sold"
    TRANSFERRED = "transferred", "Transferred to another federal award"
    DISCARDED = "discarded", "Discarded (no remaining value)"
    LOST = "lost", "Lost, stolen or destroyed"


class EquipmentItem(models.Model):
    """An item of equipment bought with award funds (2 CFR 200.313): at or above the
    equipment threshold in force on its purchase date, paid by a category D expenditure
    of the award's ledger, counted every two years, disposed of at closeout."""

    Disposition = Disposition

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="equipment")
    entry = models.ForeignKey(
        LedgerEntry,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The category D (equipment) expenditure that paid for it.",
    )
    description = models.CharField(max_length=300)
    tag = models.CharField("Property tag or serial number", max_length=60)
    unit_cost = money_field()
    acquired_on = models.DateField("Date bought")
    location = models.CharField(max_length=200)
    last_inventory_on = models.DateField("Last physical inventory", null=True, blank=True)
    condition = models.CharField(max_length=200, blank=True)
    disposition = models.CharField(max_length=20, choices=Disposition.choices, blank=True)
    disposed_on = models.DateField(null=True, blank=True)
    disposition_proceeds = money_field(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["award", "acquired_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(unit_cost__gt=0), name="compliance_equipment_cost_positive"
            ),
            models.UniqueConstraint(
                fields=["award", "tag"], name="compliance_equipment_tag_unique"
            ),
            models.CheckConstraint(
                condition=Q(disposition="", disposed_on__isnull=True)
                | (~Q(disposition="") & Q(disposed_on__isnull=False)),
                name="compliance_equipment_disposition_dated",
            ),
            models.CheckConstraint(
                condition=Q(disposition_proceeds__gte=0),
                name="compliance_equipment_proceeds_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.tag})"


class FfataReport(FiledReport):
    """The FFATA report in SAM.gov of an award's reportable subawards signed in one month
    (report_types.ffata_of; period_end: the month's last day)."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="ffata_reports")
    reported_on = models.DateField("Date reported in SAM.gov")
    confirmation = models.CharField("SAM.gov confirmation or report number", max_length=60)

    class Meta:
        ordering = ["award", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "period_end"], name="compliance_ffata_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="compliance_ffata_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"FFATA report {self.award} for {self.period_end:%m/%Y}"
