"""Oversight of recipients (docs/rules/oversight.md): risk reviews (2 CFR 200.206),
special conditions (200.208) and monitoring with findings and corrective actions
(200.329, 200.339)."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from grants import access
from grants.models import Award, Hold, Recipient
from grants.money import money_field


class FinancialStability(models.TextChoices):
    SOUND = "sound", "Sound: statements show no concern"
    CONCERNS = "concerns", "Some concerns (late statements, thin reserves, one-time losses)"
    SERIOUS = "serious", "Serious concerns (deficits, going-concern doubt, missing statements)"


class RiskLevel(models.TextChoices):
    LOW = "low", "Low"
    MODERATE = "moderate", "Moderate"
    HIGH = "high", "High"


class ReviewStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    DECIDED = "decided", "Decided"


class RiskReview(models.Model):
    """The risk a recipient poses, reviewed once per federal fiscal year before awards
    of that year (2 CFR 200.206(b)). The history of performance is counted from the
    system's own records when the review is recorded; the level follows
    oversight.risk.assess, and a program manager decides and signs it."""

    Stability = FinancialStability
    Level = RiskLevel
    Status = ReviewStatus

    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="risk_reviews")
    fiscal_year = models.PositiveSmallIntegerField()
    reviewed_on = models.DateField()
    financial_stability = models.CharField(max_length=10, choices=Stability.choices)
    financial_notes = models.TextField(blank=True)
    audit_findings = models.PositiveSmallIntegerField(
        "Findings in the latest single audit",
        default=0,
        help_text="As reported to the Federal Audit Clearinghouse; 0 if none.",
    )
    audit_material_weakness = models.BooleanField(
        "A material weakness or questioned costs",
        default=False,
        help_text="In the latest single audit or other audit of the recipient.",
    )
    audit_notes = models.TextField(blank=True)
    sam_active = models.BooleanField(
        "SAM.gov registration active", help_text="As the reviewer saw it in SAM.gov."
    )
    sam_expires_on = models.DateField("SAM.gov registration expires on", null=True, blank=True)
    exclusions_found = models.BooleanField(
        "An exclusion is recorded in SAM.gov",
        default=False,
        help_text="Suspension or debarment of the recipient or its principals (2 CFR 180).",
    )
    sam_checked_on = models.DateField("SAM.gov checked on")
    # History of performance, counted from this system's records over the lookback.
    history_from = models.DateField()
    late_reports = models.PositiveIntegerField(default=0)
    excess_cash_holds = models.PositiveIntegerField(default=0)
    program_holds = models.PositiveIntegerField(default=0)
    returned_reports = models.PositiveIntegerField(default=0)
    score = models.PositiveSmallIntegerField(default=0)
    computed_level = models.CharField(max_length=10, choices=Level.choices)
    # The decision.
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    level_reason = models.TextField(
        blank=True, help_text="Why the decided level differs from the computed one."
    )
    desk_review_months = models.PositiveSmallIntegerField(null=True, blank=True)
    site_visit_months = models.PositiveSmallIntegerField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    signature = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "recipient__legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "fiscal_year"], name="oversight_riskreview_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(financial_stability__in=FinancialStability.values),
                name="oversight_riskreview_stability_valid",
            ),
            models.CheckConstraint(
                condition=Q(computed_level__in=RiskLevel.values),
                name="oversight_riskreview_computed_level_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=ReviewStatus.DRAFT, level="", decided_by__isnull=True)
                | Q(
                    status=ReviewStatus.DECIDED,
                    level__in=RiskLevel.values,
                    decided_by__isnull=False,
                    decided_at__isnull=False,
                )
                & ~Q(signature=""),
                name="oversight_riskreview_decision_complete",
            ),
            models.CheckConstraint(
                condition=Q(history_from__lte=F("reviewed_on")),
                name="oversight_riskreview_history_before_review",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} risk review of {self.recipient}"

    def get_absolute_url(self) -> str:
        return reverse("oversight:review_detail", args=[self.pk])

    @property
    def history_total(self) -> int:
        return (
            self.late_reports + self.excess_cash_holds + self.program_holds + self.returned_reports
        )


class ClearerRole(models.TextChoices):
    PROGRAM_MANAGER = access.PROGRAM_MANAGER, "Program manager"
    FINANCIAL_APPROVER = access.FINANCIAL_APPROVER, "Financial approver"


class ConditionStatus(models.TextChoices):
    OPEN = "open", "Not cleared"
    CLEARED = "cleared", "Cleared"


class SpecialCondition(models.Model):
    """A specific condition on an award (2 CFR 200.208): what the recipient must do, who
    clears it, by when. One that withholds funds keeps a hold on the award until cleared."""

    ClearerRole = ClearerRole
    Status = ConditionStatus

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="special_condition_records"
    )
    number = models.PositiveSmallIntegerField()
    review = models.ForeignKey(
        RiskReview, on_delete=models.PROTECT, related_name="conditions", null=True, blank=True
    )
    text = models.TextField()
    withholds_funds = models.BooleanField(
        default=False, help_text="No cash may be drawn on the award until it is cleared."
    )
    clearer_role = models.CharField("Cleared by", max_length=40, choices=ClearerRole.choices)
    clear_by = models.DateField("Clear by")
    imposed_on = models.DateField()
    imposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    cleared_at = models.DateTimeField(null=True, blank=True)
    clearing_note = models.TextField(blank=True)
    hold = models.OneToOneField(
        Hold, on_delete=models.PROTECT, related_name="special_condition", null=True, blank=True
    )

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "number"], name="oversight_condition_number_unique"
            ),
            models.CheckConstraint(condition=~Q(text=""), name="oversight_condition_has_text"),
            models.CheckConstraint(
                condition=Q(clear_by__gte=F("imposed_on")),
                name="oversight_condition_clear_by_after_imposed",
            ),
            models.CheckConstraint(
                condition=Q(clearer_role__in=ClearerRole.values),
                name="oversight_condition_role_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=ConditionStatus.OPEN, cleared_at__isnull=True)
                | Q(
                    status=ConditionStatus.CLEARED,
                    cleared_at__isnull=False,
                    cleared_by__isnull=False,
                ),
                name="oversight_condition_cleared_complete",
            ),
            models.CheckConstraint(
                condition=Q(withholds_funds=True) | Q(hold__isnull=True),
                name="oversight_condition_hold_only_if_withholding",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} special condition {self.number}"

    @property
    def is_open(self) -> bool:
        return self.status == ConditionStatus.OPEN


class ActivityKind(models.TextChoices):
    DESK_REVIEW = "desk_review", "Desk review"
    SITE_VISIT = "site_visit", "Site visit"


class ActivityStatus(models.TextChoices):
    PLANNED = "planned", "Planned"
    DONE = "done", "Done"
    CANCELLED = "cancelled", "Cancelled"


class MonitoringActivity(models.Model):
    """A desk review or site visit of an award, planned from its recipient's risk level."""

    Kind = ActivityKind
    Status = ActivityStatus

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="monitoring_activities")
    review = models.ForeignKey(
        RiskReview, on_delete=models.PROTECT, related_name="activities", null=True, blank=True
    )
    kind = models.CharField(max_length=12, choices=Kind.choices)
    planned_on = models.DateField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    done_on = models.DateField(null=True, blank=True)
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )

    class Meta:
        ordering = ["planned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=ActivityKind.values), name="oversight_activity_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=ActivityStatus.DONE, done_on__isnull=False)
                | (~Q(status=ActivityStatus.DONE) & Q(done_on__isnull=True)),
                name="oversight_activity_done_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.award}, {self.planned_on:%m/%d/%Y}"


class FindingStatus(models.TextChoices):
    OPEN = "open", "Open: corrective action plan due"
    PLAN_SUBMITTED = "plan_submitted", "Corrective action plan submitted"
    CLOSED = "closed", "Closed"


OPEN_FINDING = (FindingStatus.OPEN, FindingStatus.PLAN_SUBMITTED)


class Finding(models.Model):
    """What a monitoring activity found, and the recipient's corrective action plan."""

    Status = FindingStatus

    activity = models.ForeignKey(
        MonitoringActivity, on_delete=models.PROTECT, related_name="findings"
    )
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="monitoring_findings")
    text = models.TextField()
    questioned_amount = money_field(
        verbose_name="Questioned costs",
        default=0,
        help_text="Costs the finding questions; 0 if none. A finding with questioned costs "
        "must be closed before the award can close.",
    )
    cap_due_on = models.DateField("Corrective action plan due")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)
    corrective_action = models.TextField(blank=True)
    plan_submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    plan_submitted_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        ordering = ["cap_due_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(text=""), name="oversight_finding_has_text"),
            models.CheckConstraint(
                condition=Q(questioned_amount__gte=0),
                name="oversight_finding_questioned_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=FindingStatus.values), name="oversight_finding_status_valid"
            ),
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.PLAN_SUBMITTED) | ~Q(corrective_action=""),
                name="oversight_finding_plan_has_text",
            ),
            models.CheckConstraint(
                condition=~Q(status=FindingStatus.CLOSED) | Q(closed_at__isnull=False),
                name="oversight_finding_closed_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"Finding {self.pk} on {self.award}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_FINDING
