"""Formula allocation of a fiscal year's appropriation across the task forces
(34 U.S.C. 21116): the factor data, the scenarios (runs) and their lines."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round
from django.db.models.lookups import Exact
from django.urls import reverse

from allocations.formula import FACTORS, FloorMode
from grants.models import FIRST_FISCAL_YEAR, Appropriation, Award, TaskForce
from grants.money import format_money, money_field


def cents(field: str):
    """A money column in whole cents, for constraints that add columns up. SQLite keeps
    decimals as binary floats, where 135000.01 + 562950.07 need not equal 697950.08;
    whole cents add up exactly on both databases."""
    return Round(F(field) * 100)


def cents_add_up(total: str, *parts: str) -> Exact:
    summed = cents(parts[0])
    for part in parts[1:]:
        summed = summed + cents(part)
    return Exact(cents(total), summed)


def percent_field(verbose_name: str, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=6, decimal_places=3, **kwargs)


class FactorData(models.Model):
    """One task force's formula factors for one fiscal year (statute factors I–VI)."""

    task_force = models.ForeignKey(
        TaskForce, on_delete=models.PROTECT, related_name="allocation_factors"
    )
    fiscal_year = models.PositiveSmallIntegerField(db_index=True)
    population = models.PositiveBigIntegerField(
        help_text="Population of the state (most recent decennial census)."
    )
    leads = models.PositiveIntegerField("Investigative leads")
    cases_referred = models.PositiveIntegerField("Cases referred for prosecution")
    prosecutions = models.PositiveIntegerField("Successful prosecutions")
    training = models.PositiveIntegerField(
        "Training and outreach", help_text="People trained, TA sessions and outreach events."
    )
    need_score = models.DecimalField(
        max_digits=14,
        decimal_places=2,
        default=0,
        help_text="Other criteria of need (factor VI); need-based funds follow it. "
        "0 for a task force that takes no need-based funds.",
    )
    source = models.CharField(max_length=200, blank=True, help_text="Where the figures come from.")
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["fiscal_year", "task_force__state", "task_force__name"]
        verbose_name_plural = "factor data"
        constraints = [
            models.UniqueConstraint(
                fields=["task_force", "fiscal_year"], name="allocations_factordata_one_per_year"
            ),
            models.CheckConstraint(
                condition=Q(need_score__gte=0), name="allocations_factordata_need_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_FISCAL_YEAR, fiscal_year__lte=2100),
                name="allocations_factordata_fiscal_year_range",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} factors: {self.task_force}"


class RunStatus(models.TextChoices):
    DRAFT = "draft", "Draft scenario"
    PUBLISHED = "published", "Published"


class AllocationRun(models.Model):
    """A scenario: one way of allocating a fiscal year's pool, with its parameters and,
    in its lines, the result. Publishing one creates the year's draft awards."""

    Status = RunStatus

    fiscal_year = models.PositiveSmallIntegerField(db_index=True)
    name = models.CharField("Scenario name", max_length=120)
    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.PROTECT, related_name="allocation_runs"
    )
    pool = money_field(help_text="What is allocated: the appropriation less set-asides.")
    formula_pct = percent_field("Formula share (%)")
    floor_pct = percent_field("Floor (% of formula funds)")
    match_pct = percent_field("Match on need-based funds (%)")
    floor_mode = models.CharField(max_length=10, choices=FloorMode.CHOICES)
    weight_population = percent_field("Weight: population (%)")
    weight_leads = percent_field("Weight: investigative leads (%)")
    weight_cases_referred = percent_field("Weight: cases referred (%)")
    weight_prosecutions = percent_field("Weight: prosecutions (%)")
    weight_training = percent_field("Weight: training and outreach (%)")
    formula_funds = money_field()
    need_funds = money_field()
    floor_amount = money_field()
    period_start = models.DateField("Award period starts")
    period_end = models.DateField("Award period ends")
    notes = models.TextField(blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    published_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-fiscal_year", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["fiscal_year", "name"], name="allocations_run_name_unique_in_year"
            ),
            # One published allocation per fiscal year: publishing happens once.
            models.UniqueConstraint(
                fields=["fiscal_year"],
                condition=Q(status=RunStatus.PUBLISHED),
                name="allocations_run_one_published_per_year",
            ),
            models.CheckConstraint(
                condition=Q(status__in=RunStatus.values), name="allocations_run_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(floor_mode__in=[c for c, _ in FloorMode.CHOICES]),
                name="allocations_run_floor_mode_valid",
            ),
            models.CheckConstraint(condition=Q(pool__gt=0), name="allocations_run_pool_positive"),
            models.CheckConstraint(
                condition=cents_add_up("pool", "formula_funds", "need_funds"),
                name="allocations_run_parts_add_up",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=RunStatus.DRAFT, published_at__isnull=True, published_by__isnull=True
                )
                | Q(
                    status=RunStatus.PUBLISHED,
                    published_at__isnull=False,
                    published_by__isnull=False,
                ),
                name="allocations_run_published_fields",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="allocations_run_period_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.name} ({format_money(self.pool)})"

    def get_absolute_url(self) -> str:
        return reverse("allocations:run_detail", args=[self.pk])

    @property
    def weights(self) -> dict:
        return {factor: getattr(self, f"weight_{factor}") for factor in FACTORS}


class AllocationLine(models.Model):
    """What one task force gets in a run, and the factor data it was computed from."""

    run = models.ForeignKey(AllocationRun, on_delete=models.PROTECT, related_name="lines")
    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="+")
    factors = models.JSONField(help_text="The factor data the line was computed from.")
    weighted_share = models.DecimalField("Weighted share (%)", max_digits=9, decimal_places=5)
    floor_amount = money_field()
    formula_amount = money_field(help_text="Formula funds above the floor.")
    need_amount = money_field()
    total = money_field()
    match_required = money_field()
    match_waived = models.BooleanField(default=False)
    waiver_reason = models.CharField(max_length=500, blank=True)
    award = models.OneToOneField(
        Award, on_delete=models.PROTECT, null=True, blank=True, related_name="allocation_line"
    )

    class Meta:
        ordering = ["run", "task_force__state", "task_force__name"]
        constraints = [
            models.UniqueConstraint(
                fields=["run", "task_force"], name="allocations_line_one_per_task_force"
            ),
            models.CheckConstraint(
                condition=cents_add_up("total", "floor_amount", "formula_amount", "need_amount"),
                name="allocations_line_total_adds_up",
            ),
            models.CheckConstraint(
                condition=Q(floor_amount__gt=0, formula_amount__gte=0, need_amount__gte=0)
                & Q(match_required__gte=0),
                name="allocations_line_amounts_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(match_waived=False) | (Q(match_required=0) & ~Q(waiver_reason="")),
                name="allocations_line_waiver_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.run}: {self.task_force} {format_money(self.total)}"
