"""What a task force may spend: versioned budgets with lines in the DOJ categories."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from grants.models import Award
from grants.money import money_field


class Category(models.TextChoices):
    """DOJ Budget Detail Worksheet categories."""

    PERSONNEL = "A", "A. Personnel"
    FRINGE = "B", "B. Fringe benefits"
    TRAVEL = "C", "C. Travel"
    EQUIPMENT = "D", "D. Equipment"
    SUPPLIES = "E", "E. Supplies"
    CONSTRUCTION = "F", "F. Construction"
    SUBAWARDS = "G", "G. Subawards"
    PROCUREMENT = "H", "H. Procurement contracts"
    OTHER = "I", "I. Other costs"
    INDIRECT = "J", "J. Indirect costs"


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    APPROVED = "approved", "Approved (current)"
    SUPERSEDED = "superseded", "Superseded"


class BudgetVersion(models.Model):
    """One version of an award's budget. At most one is approved (current) at a time;
    the versions it replaced are kept as superseded."""

    Status = VersionStatus

    award = models.ForeignKey(
        Award, on_delete=models.PROTECT, related_name="budget_versions"
    )
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.DRAFT
    )
    note = models.CharField(max_length=500, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["award", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "number"], name="budgets_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(status="approved"),
                name="budgets_version_one_approved_per_award",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values),
                name="budgets_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(approved_at__isnull=False),
                name="budgets_version_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} budget v{self.number} ({self.get_status_display()})"


class BudgetLine(models.Model):
    version = models.ForeignKey(
        BudgetVersion, on_delete=models.PROTECT, related_name="lines"
    )
    category = models.CharField(max_length=1, choices=Category.choices)
    federal_amount = money_field(default=0)
    non_federal_amount = money_field(default=0)
    narrative = models.TextField(blank=True)

    class Meta:
        ordering = ["version", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "category"], name="budgets_line_one_per_category"
            ),
            models.CheckConstraint(
                condition=Q(federal_amount__gte=0) & Q(non_federal_amount__gte=0),
                name="budgets_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(category__in=Category.values),
                name="budgets_line_category_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.federal_amount} + {self.non_federal_amount}"
