"""The program and its awards: appropriations, task forces, recipients, awards,
funding lines, holds, amendments, memberships and dated rule values."""

import calendar
import re
from datetime import date, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse

from grants.audit import AuditChainHead, AuditEvent  # noqa: F401  (registers the models with the app)
from grants.money import format_money, money_field

FIRST_FISCAL_YEAR = 1998
ASSISTANCE_LISTING = "16.543"

# SAM.gov Unique Entity ID: 12 characters, letters and digits, no letters O or I,
# not starting with 0.
UEI_RE = re.compile(r"^[A-HJ-NP-Z1-9][A-HJ-NP-Z0-9]{11}$")
EIN_RE = re.compile(r"^\d{2}-\d{7}$")
# DOJ award numbers as published since the program began
# (docs/rules/program-and-funding.md#award-numbers):
# - OJP's older form, year first, then two two-character codes (letters and digits
#   mixed in some programs, as ARRA's "B9") and a four-character sequence:
#   "2018-MC-FX-K060", "2009-SN-B9-K031"; the 1990s wrote the year in two digits:
#   "98-MC-CX-K003";
# - the JustGrants form since FY2019: "15PJDP-24-GK-01234-MECP".
AWARD_NUMBER_RES = (
    re.compile(r"^(?P<year>(?:19|20)[0-9]{2})-[A-Z0-9]{2}-[A-Z0-9]{2}-[A-Z0-9]{4}$"),
    re.compile(r"^(?P<yy_1900s>9[0-9])-[A-Z0-9]{2}-[A-Z0-9]{2}-[A-Z0-9]{4}$"),
    re.compile(r"^15P[A-Z]{3}-(?P<yy>[0-9]{2})-[A-Z0-9]{2}-[0-9]{5}-[A-Z0-9]{4}$"),
)
# Dashes people paste from documents, read as the hyphen.
DASHES = str.maketrans(
    {"\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-", "\u2212": "-"}
)


def validate_uei(value: str) -> None:
    if not UEI_RE.match(value or ""):
        raise ValidationError(
            "A UEI is 12 characters: capital letters and digits, without the letters "
            "O and I, not starting with 0.",
            code="invalid_uei",
        )


def validate_ein(value: str) -> None:
    if not EIN_RE.match(value or ""):
        raise ValidationError("An EIN is 9 digits written NN-NNNNNNN.", code="invalid_ein")


def normalize_award_number(value: str) -> str:
    """An award number as typed or pasted, in the form it is stored and validated:
    capitals, no spaces, plain hyphens (" 2018-mc-fx-k060 " gives "2018-MC-FX-K060")."""
    return "".join((value or "").translate(DASHES).split()).upper()


def award_number_fiscal_year(value: str) -> int | None:
    """The fiscal year an award number names, or None if it is not in a DOJ format."""
    for pattern in AWARD_NUMBER_RES:
        match = pattern.match(value or "")
        if match:
            groups = match.groupdict()
            if "year" in groups:
                return int(groups["year"])
            if "yy_1900s" in groups:
                return 1900 + int(groups["yy_1900s"])
            return 2000 + int(groups["yy"])
    return None


def validate_award_number(value: str) -> None:
    if award_number_fiscal_year(value) is None:
        raise ValidationError(
            "Use a DOJ award number such as 15PJDP-24-GK-01234-MECP, 2018-MC-FX-K060 "
            "or 98-MC-CX-K003.",
            code="invalid_award_number",
        )


def fiscal_year_of(day: date) -> int:
    """The federal fiscal year (October 1 to September 30) a date falls in."""
    return day.year + 1 if day.month >= 10 else day.year


class ProgramIncomeAlternative(models.TextChoices):
    """How an award's program income is used (docs/rules/cash-and-ledger.md#program-income)."""

    ADDITION = "addition", "Addition: added to the funds committed to the project"
    DEDUCTION = "deduction", "Deduction: deducted from the total allowable costs"
    COST_SHARING = "cost_sharing", "Cost sharing: used to meet the recipient's share"


class AccountingBasis(models.TextChoices):
    """SF-425 line 7 (docs/rules/sf425.md#accounting-basis)."""

    ACCRUAL = "accrual", "Accrual"
    CASH = "cash", "Cash"


class Recipient(models.Model):
    """A recipient organization: the lead agency that holds a task force's award."""

    Basis = AccountingBasis

    legal_name = models.CharField(max_length=200)
    uei = models.CharField("UEI", max_length=12, unique=True, validators=[validate_uei])
    ein = models.CharField("EIN", max_length=10, validators=[validate_ein])
    street = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    state = models.CharField(max_length=2)
    zip_code = models.CharField("ZIP code", max_length=10, blank=True)
    fiscal_year_end_month = models.PositiveSmallIntegerField(default=6)
    fiscal_year_end_day = models.PositiveSmallIntegerField(default=30)
    accounting_basis = models.CharField(
        max_length=7,
        choices=AccountingBasis.choices,
        default=AccountingBasis.ACCRUAL,
        help_text="SF-425 line 7: on the cash basis an expenditure counts when it is paid, "
        "on the accrual basis when it is incurred.",
    )

    class Meta:
        ordering = ["legal_name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_end_month__gte=1, fiscal_year_end_month__lte=12)
                & Q(fiscal_year_end_day__gte=1, fiscal_year_end_day__lte=31),
                name="grants_recipient_fiscal_year_end_valid",
            ),
            models.CheckConstraint(
                condition=Q(accounting_basis__in=AccountingBasis.values),
                name="grants_recipient_accounting_basis_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.legal_name

    @property
    def fiscal_year_end(self) -> str:
        return date(2001, self.fiscal_year_end_month, self.fiscal_year_end_day).strftime("%B %-d")

    def _year_end_in(self, year: int) -> date:
        # A year end of the 31st in a shorter month (or February 29) is its last day.
        month = self.fiscal_year_end_month
        return date(year, month, min(self.fiscal_year_end_day, calendar.monthrange(year, month)[1]))

    def fiscal_year_of(self, day: date) -> tuple[date, date]:
        """The first and last day of the recipient's own fiscal year that `day` falls in."""
        end = self._year_end_in(day.year)
        if day > end:
            end = self._year_end_in(day.year + 1)
        return self._year_end_in(end.year - 1) + timedelta(days=1), end

    @property
    def address(self) -> str:
        return ", ".join(
            p for p in [self.street, self.city, f"{self.state} {self.zip_code}".strip()] if p
        )


class TaskForce(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200, unique=True)
    state = models.CharField(max_length=2)
    lead_organization = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="task_forces"
    )
    source_url = models.URLField(max_length=500, blank=True)
    note = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["state", "name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("grants:task_force_detail", args=[self.code])


class MembershipRole(models.TextChoices):
    FINANCE_OFFICER = "finance_officer", "Finance officer"
    GRANT_ADMINISTRATOR = "grant_administrator", "Grant administrator"


class Membership(models.Model):
    """A person's role in one task force. Program-office roles are groups instead."""

    Role = MembershipRole

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    task_force = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=30, choices=Role.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "task_force", "role"], name="grants_membership_unique"
            ),
            models.CheckConstraint(
                condition=Q(role__in=MembershipRole.values),
                name="grants_membership_role_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()}, {self.task_force}"


class SourceStatus(models.TextChoices):
    OFFICIAL = "official", "Official source"
    SECONDARY = "secondary", "Secondary source"
    PROGRAM_DESCRIPTION = "program_description", "Program description"
    ESTIMATE = "estimate", "Estimate (no published figure)"


class Appropriation(models.Model):
    SourceStatus = SourceStatus

    fiscal_year = models.PositiveSmallIntegerField(db_index=True)
    name = models.CharField(max_length=200)
    public_law = models.CharField(max_length=40, blank=True)
    source = models.CharField(
        max_length=300,
        help_text="Public law, press release or other document the amount comes from.",
    )
    source_status = models.CharField(max_length=30, choices=SourceStatus.choices)
    account = models.CharField(max_length=200, default="Missing and Exploited Children programs")
    amount = money_field()
    available_from = models.DateField()
    available_until = models.DateField(
        null=True,
        blank=True,
        help_text="Leave blank for funds available until expended.",
    )
    assistance_listing = models.CharField(
        max_length=10,
        default=ASSISTANCE_LISTING,
        help_text="The program the money is for (Assistance Listing): it funds awards of "
        "that program only.",
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["fiscal_year", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="grants_appropriation_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_FISCAL_YEAR, fiscal_year__lte=2100),
                name="grants_appropriation_fiscal_year_range",
            ),
            models.CheckConstraint(
                condition=Q(available_until__isnull=True)
                | Q(available_until__gt=F("available_from")),
                name="grants_appropriation_availability_ordered",
            ),
            models.CheckConstraint(
                condition=Q(source_status__in=SourceStatus.values),
                name="grants_appropriation_source_status_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"FY{self.fiscal_year} {self.name} ({format_money(self.amount)})"

    def get_absolute_url(self) -> str:
        return reverse("grants:appropriation_detail", args=[self.pk])


class SetAsideKind(models.TextChoices):
    TRAINING = "training", "Training and technical assistance"
    NATIONAL = "national", "National initiatives"
    MANAGEMENT = "management", "Management and administration"


class SetAside(models.Model):
    Kind = SetAsideKind

    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.PROTECT, related_name="set_asides"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    amount = money_field()
    notes = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["appropriation", "kind"]
        constraints = [
            models.UniqueConstraint(
                fields=["appropriation", "kind"], name="grants_setaside_one_per_kind"
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="grants_setaside_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SetAsideKind.values),
                name="grants_setaside_kind_valid",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {format_money(self.amount)}"


class AwardStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    OFFERED = "offered", "Offered"
    ACCEPTED = "accepted", "Accepted"
    ACTIVE = "active", "Active"
    IN_CLOSEOUT = "in_closeout", "In closeout"
    CLOSED = "closed", "Closed"


class UniformGuidance(models.TextChoices):
    UG_2014 = "2014", "2 CFR 200 (2014)"
    UG_2024 = "2024", "2 CFR 200 (2024 revision)"

    @classmethod
    def in_force_on(cls, day) -> "UniformGuidance":
        """The revision governing an award made, or amended, on `day`
        (docs/rules/award-lifecycle-and-budgets.md#uniform-guidance-version: the 2024
        revision applies from 2024-10-01 to new awards and to awards amended from then on,
        including added funding; it is not retroactive)."""
        return cls.UG_2024 if day >= UG_2024_EFFECTIVE else cls.UG_2014


UG_2024_EFFECTIVE = date(2024, 10, 1)


class Award(models.Model):
    Status = AwardStatus
    ProgramIncomeAlternative = ProgramIncomeAlternative

    UniformGuidance = UniformGuidance

    # The only moves an award's status may make.
    TRANSITIONS = {
        Status.DRAFT: {Status.OFFERED},
        Status.OFFERED: {Status.ACCEPTED, Status.DRAFT},
        Status.ACCEPTED: {Status.ACTIVE},
        Status.ACTIVE: {Status.IN_CLOSEOUT},
        Status.IN_CLOSEOUT: {Status.CLOSED},
        Status.CLOSED: set(),
    }

    award_number = models.CharField(max_length=30, unique=True, validators=[validate_award_number])
    fiscal_year = models.PositiveSmallIntegerField(db_index=True)
    title = models.CharField(max_length=300)
    recipient = models.ForeignKey(Recipient, on_delete=models.PROTECT, related_name="awards")
    task_force = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="awards")
    assistance_listing = models.CharField(max_length=10, default=ASSISTANCE_LISTING)
    period_start = models.DateField()
    period_end = models.DateField()
    federal_amount = money_field(
        help_text="The sum of the award's funding lines less what was returned from them "
        "(decreases, terminations, deobligation at closeout)."
    )
    match_required = money_field(default=0)
    # The OJP Financial Guide's default is addition "in the absence of other restrictions"
    # (docs/rules/cash-and-ledger.md#program-income).
    program_income_alternative = models.CharField(
        max_length=12,
        choices=ProgramIncomeAlternative.choices,
        default=ProgramIncomeAlternative.ADDITION,
    )
    special_conditions = models.TextField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
    ug_version = models.CharField(
        "Uniform Guidance",
        max_length=4,
        choices=UniformGuidance.choices,
        default=UniformGuidance.UG_2024,
    )
    drawdowns_need_approval = models.BooleanField(
        default=False,
        help_text="High-risk recipients: each drawdown waits for a financial approver.",
    )
    # Closeout on time (docs/rules/reporting-deadlines.md#closeout-clock): the day the award
    # moved into closeout, and the day it was flagged for unilateral closeout with what was
    # still missing then.
    closeout_started_on = models.DateField(null=True, blank=True)
    unilateral_closeout_on = models.DateField(
        "Flagged for unilateral closeout on", null=True, blank=True
    )
    unilateral_closeout_missing = models.JSONField(default=list, blank=True)
    # The recipient's acknowledgement of the terms and special conditions: who accepted,
    # when, and the full name they typed as their signature (grants.services.award_transition).
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    accepted_at = models.DateTimeField(null=True, blank=True)
    acceptance_typed_name = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-fiscal_year", "task_force__state", "task_force__name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gt=F("period_start")),
                name="grants_award_period_ordered",
            ),
            # Zero only once all of it went back: an award terminated before anything was
            # spent, or closed having spent nothing (docs/rules/deobligation.md).
            models.CheckConstraint(
                condition=Q(federal_amount__gte=0),
                name="grants_award_federal_amount_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(match_required__gte=0),
                name="grants_award_match_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AwardStatus.values),
                name="grants_award_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(fiscal_year__gte=FIRST_FISCAL_YEAR, fiscal_year__lte=2100),
                name="grants_award_fiscal_year_range",
            ),
        ]

    def __str__(self) -> str:
        return self.award_number

    def get_absolute_url(self) -> str:
        return reverse("grants:award_detail", args=[self.award_number])


class AwardFunding(models.Model):
    """The part of an award paid from one appropriation."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="funding_lines")
    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.PROTECT, related_name="funding_lines"
    )
    amount = money_field()
    created_at = models.DateTimeField(auto_now_add=True)
    amendment = models.ForeignKey(
        "Amendment",
        on_delete=models.PROTECT,
        related_name="funding_lines",
        null=True,
        blank=True,
        help_text="The supplement that added this line; blank for the award's original funding.",
    )

    class Meta:
        ordering = ["award", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="grants_awardfunding_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} from FY{self.appropriation.fiscal_year}: {format_money(self.amount)}"


class FundingReturn(models.Model):
    """Money of one funding line given back to its appropriation: by a decrease, a
    termination or the deobligation of the unspent balance at closeout
    (docs/rules/deobligation.md#returned-to-the-appropriation)."""

    funding_line = models.ForeignKey(AwardFunding, on_delete=models.PROTECT, related_name="returns")
    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.PROTECT, related_name="funding_returns"
    )
    amendment = models.ForeignKey(
        "Amendment", on_delete=models.PROTECT, related_name="funding_returns"
    )
    amount = money_field()
    returned_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["returned_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="grants_fundingreturn_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{format_money(self.amount)} returned to FY{self.appropriation.fiscal_year}"


class HoldCause(models.TextChoices):
    """Why a hold is on an award, and so what lifts it."""

    PROGRAM = "program", "Placed by program staff"
    LATE_REPORT = "late_report", "A report is late"
    EXCESS_CASH = "excess_cash", "Cash held past the disbursement period"
    SAM_LAPSED = "sam_lapsed", "The recipient's SAM.gov registration has lapsed"
    # A special condition that withholds funds (2 CFR 200.208) until it is cleared; the
    # condition (oversight.SpecialCondition.hold) points at its hold.
    SPECIAL_CONDITION = "special_condition", "A special condition is not cleared"


class Hold(models.Model):
    """A hold on an award's funds: while it is active, no cash may be drawn."""

    Cause = HoldCause

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="holds")
    reason = models.CharField(max_length=500)
    cause = models.CharField(
        max_length=20,
        choices=HoldCause.choices,
        default=HoldCause.PROGRAM,
        help_text="Program staff lift their own holds; the system lifts a late-report hold "
        "when the report is in, an excess-cash hold when that cash is disbursed or returned, "
        "a SAM.gov hold when the registration is renewed, and a special-condition hold when "
        "the condition is cleared.",
    )
    report_key = models.CharField(
        max_length=40,
        blank=True,
        help_text="For a hold placed because a report is late: which report. Submitting it lifts the hold.",
    )
    placed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    placed_at = models.DateTimeField()
    lifted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    lifted_at = models.DateTimeField(null=True, blank=True)
    lift_reason = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-placed_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True) | Q(lifted_at__gte=F("placed_at")),
                name="grants_hold_lifted_after_placed",
            ),
            models.CheckConstraint(
                condition=Q(lifted_at__isnull=True, lifted_by__isnull=True)
                | Q(lifted_at__isnull=False),
                name="grants_hold_lifted_by_needs_lifted_at",
            ),
            models.CheckConstraint(
                condition=Q(cause__in=HoldCause.values), name="grants_hold_cause_valid"
            ),
            # The daily run and the ledger's postings may both look at one award: at most
            # one active excess-cash hold each, whoever gets there first.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(cause=HoldCause.EXCESS_CASH, lifted_at__isnull=True),
                name="grants_hold_one_active_excess_cash",
            ),
            # Placed at expiry and lifted on renewal of the registration, by the daily run
            # or the renewal, whichever comes first: one active at a time.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(cause=HoldCause.SAM_LAPSED, lifted_at__isnull=True),
                name="grants_hold_one_active_sam_lapsed",
            ),
        ]

    def __str__(self) -> str:
        return f"Hold on {self.award}: {self.reason}"

    @property
    def is_active(self) -> bool:
        return self.lifted_at is None


class AmendmentKind(models.TextChoices):
    SUPPLEMENT = "supplement", "Supplement"
    NO_COST_EXTENSION = "no_cost_extension", "No-cost extension"
    BUDGET_MODIFICATION = "budget_modification", "Budget modification"
    ADMINISTRATIVE = "administrative", "Administrative"
    # Less federal money (docs/rules/deobligation.md): a decrease or a termination (2 CFR
    # 200.340) proposed and approved by two people, and the deobligation of the unspent
    # balance when the award closes.
    DECREASE = "decrease", "Decrease"
    TERMINATION = "termination", "Termination"
    DEOBLIGATION = "deobligation", "Deobligation at closeout"


class AmendmentStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    WITHDRAWN = "withdrawn", "Withdrawn"


class Amendment(models.Model):
    """A grant award modification, recorded with its request, decision and effect."""

    Kind = AmendmentKind

    Status = AmendmentStatus

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="amendments")
    number = models.PositiveIntegerField()
    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.REQUESTED)
    description = models.TextField()
    requested_on = models.DateField()
    decided_on = models.DateField(null=True, blank=True)
    effective_on = models.DateField(null=True, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
    )
    decision_note = models.CharField(max_length=500, blank=True)
    # No-cost extension: the end date it moves from and to. Kept on the amendment so the
    # award's terms can be rebuilt as of any day (the award row holds only the latest).
    period_end_before = models.DateField(null=True, blank=True)
    period_end_after = models.DateField(null=True, blank=True)
    # Supplement: how much, from which appropriation. Decrease, termination, deobligation:
    # how much is taken off the award (the appropriations are its funding lines').
    amount = money_field(null=True, blank=True)
    appropriation = models.ForeignKey(
        Appropriation, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    # Administrative change: the recipient's details before and after.
    changes = models.JSONField(default=dict, blank=True)
    # A no-cost extension after an approved one: the written justification the approver
    # reads (docs/rules/award-lifecycle-and-budgets.md#second-extensions).
    justification = models.TextField(blank=True)

    class Meta:
        ordering = ["award", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "number"], name="grants_amendment_number_unique"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=AmendmentKind.values),
                name="grants_amendment_kind_valid",
            ),
            models.CheckConstraint(
                condition=Q(status__in=AmendmentStatus.values),
                name="grants_amendment_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(decided_on__isnull=True) | Q(decided_on__gte=F("requested_on")),
                name="grants_amendment_decided_after_requested",
            ),
            # Separation of duties: whoever asks for a change never decides it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="grants_amendment_decider_not_requester",
            ),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gt=0),
                name="grants_amendment_amount_positive",
            ),
            models.CheckConstraint(
                condition=Q(period_end_after__isnull=True)
                | Q(period_end_after__gt=F("period_end_before")),
                name="grants_amendment_extension_moves_later",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} amendment {self.number} ({self.get_kind_display()})"


class RuleUnit(models.TextChoices):
    DOLLARS = "usd", "Dollars"
    PERCENT = "percent", "Percent"
    DAYS = "days", "Days"
    MONTHS = "months", "Months"
    YEARS = "years", "Years"


class RuleEvidence(models.TextChoices):
    VERIFIED = "V", "Verified in a cited source"
    SECONDARY = "S", "Secondary source"
    INFERRED = "I", "Inference, not verified"


class RuleValue(models.Model):
    """A number a rule depends on (a threshold, a percentage, a day count), with the
    dates it is in force and where it comes from. Rules read these; code holds none."""

    Unit = RuleUnit

    Evidence = RuleEvidence

    key = models.SlugField(max_length=60)
    value = models.DecimalField(max_digits=16, decimal_places=4)
    unit = models.CharField(max_length=10, choices=Unit.choices)
    effective_from = models.DateField()
    effective_to = models.DateField(
        null=True, blank=True, help_text="Last day in force; blank if still in force."
    )
    description = models.CharField(max_length=300)
    source = models.CharField(max_length=300)
    evidence = models.CharField(max_length=1, choices=Evidence.choices)

    class Meta:
        ordering = ["key", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["key", "effective_from"], name="grants_rulevalue_unique_start"
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="grants_rulevalue_dates_ordered",
            ),
            models.CheckConstraint(condition=Q(value__gte=0), name="grants_rulevalue_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.key} = {self.value} from {self.effective_from}"


class IndirectRateType(models.TextChoices):
    """The types of indirect cost rate, as SF-425 line 11a names them
    (docs/rules/indirect-costs.md#rate-agreements)."""

    PROVISIONAL = "provisional", "Provisional"
    PREDETERMINED = "predetermined", "Predetermined"
    FIXED = "fixed", "Fixed"
    FINAL = "final", "Final"
    DE_MINIMIS = "de_minimis", "De minimis"


class IndirectCostBase(models.TextChoices):
    """What a rate is applied to. MTDC is the only base computed from the ledger
    (docs/rules/indirect-costs.md#the-mtdc-base)."""

    MTDC = "mtdc", "Modified total direct costs (MTDC)"


class IndirectRateAgreement(models.Model):
    """A recipient's indirect cost rate for a span of days: negotiated with its
    cognizant agency, or the de minimis rate, whose percentage is not typed but is the
    dated rule value `de_minimis_indirect_rate` in force on each day. The agreements of
    one recipient never overlap (grants.indirect_rates.rate_agreement_record, and on
    PostgreSQL an exclusion constraint added by migration 0007)."""

    RateType = IndirectRateType

    Base = IndirectCostBase

    recipient = models.ForeignKey(
        Recipient, on_delete=models.PROTECT, related_name="indirect_rate_agreements"
    )
    rate_type = models.CharField("Type of rate", max_length=20, choices=RateType.choices)
    rate = models.DecimalField(
        "Rate (percent)",
        max_digits=6,
        decimal_places=3,
        null=True,
        blank=True,
        help_text="Blank for the de minimis rate: its percentage is the dated rule value.",
    )
    base = models.CharField(max_length=10, choices=Base.choices, default=Base.MTDC)
    effective_from = models.DateField()
    effective_to = models.DateField(
        null=True, blank=True, help_text="Last day in force; blank until further notice."
    )
    cognizant_agency = models.CharField(
        max_length=200, blank=True, help_text="The federal agency that negotiated the rate."
    )
    signed_on = models.DateField("Date signed", null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["recipient", "effective_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(rate_type__in=IndirectRateType.values),
                name="grants_indirectrate_type_valid",
            ),
            models.CheckConstraint(
                condition=Q(base__in=IndirectCostBase.values),
                name="grants_indirectrate_base_valid",
            ),
            models.CheckConstraint(
                condition=Q(effective_to__isnull=True) | Q(effective_to__gte=F("effective_from")),
                name="grants_indirectrate_dates_ordered",
            ),
            # De minimis: no typed rate and no negotiation. Any other type: a positive
            # rate, the agency that negotiated it and the day it was signed.
            models.CheckConstraint(
                condition=Q(rate_type=IndirectRateType.DE_MINIMIS, rate__isnull=True)
                | (
                    ~Q(rate_type=IndirectRateType.DE_MINIMIS)
                    & Q(rate__gt=0, signed_on__isnull=False)
                    & ~Q(cognizant_agency="")
                ),
                name="grants_indirectrate_rate_matches_type",
            ),
            models.UniqueConstraint(
                fields=["recipient", "effective_from"], name="grants_indirectrate_one_start"
            ),
        ]

    def __str__(self) -> str:
        rate = "de minimis" if self.rate is None else f"{self.rate.normalize():f}%"
        return f"{self.recipient}: {self.get_rate_type_display()} rate {rate} from {self.effective_from}"

    @property
    def last_day(self) -> date:
        return self.effective_to or date.max
