"""What a task force may spend: versioned budgets with lines in the DOJ categories."""

from decimal import Decimal
from functools import reduce
from operator import or_

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import F, Q

from budgets.kinds import CATEGORY_TOTALS, KINDS, TOTALS, EntryKind, InKindBasis, Share
from grants import protected
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


class BudgetVersionQuerySet(models.QuerySet):
    def current(self) -> "BudgetVersion | None":
        """The approved version in force, or None: the one answer to "the award's current
        budget" (`award.budget_versions.current()`). At most one version of an award is
        approved at a time (a database constraint)."""
        return self.filter(status=VersionStatus.APPROVED).first()

    def agency_base(self) -> "BudgetVersion | None":
        """The version the awarding agency last approved (the initial budget, a
        supplement's or an approved modification's): what transfers between categories
        are measured against (decision record 0004)."""
        return (
            self.filter(
                status__in=[VersionStatus.APPROVED, VersionStatus.SUPERSEDED],
                agency_approved=True,
            )
            .order_by("-number")
            .first()
        )

    def lines_in_force(self) -> "models.QuerySet[BudgetLine]":
        """The lines of the current version, in one query."""
        return BudgetLine.objects.filter(version__in=self.filter(status=VersionStatus.APPROVED))


class BudgetVersion(models.Model):
    """One version of an award's budget. At most one is approved (current) at a time;
    the versions it replaced are kept as superseded."""

    Status = VersionStatus

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="budget_versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT)
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
    effective_on = models.DateField(
        null=True,
        blank=True,
        help_text="First day this version governs the award (terms as of a date).",
    )
    agency_approved = models.BooleanField(
        default=True,
        help_text="Approved by the awarding agency; False for a modification that needed "
        "no prior approval and applied at once. Transfers are measured against the last "
        "version the agency approved.",
    )

    objects = BudgetVersionQuerySet.as_manager()

    class Meta:
        ordering = ["award", "-number"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "number"], name="budgets_version_number_unique"
            ),
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(status=VersionStatus.APPROVED),
                name="budgets_version_one_approved_per_award",
            ),
            models.CheckConstraint(
                condition=Q(status__in=VersionStatus.values),
                name="budgets_version_status_valid",
            ),
            models.CheckConstraint(
                condition=Q(status=VersionStatus.DRAFT) | Q(approved_at__isnull=False),
                name="budgets_version_approved_has_date",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} budget v{self.number} ({self.get_status_display()})"

    @property
    def is_current(self) -> bool:
        return self.status == VersionStatus.APPROVED

    def federal_amounts(self) -> dict[str, Decimal]:
        """The federal amount of each category it budgets."""
        return {line.category: line.federal_amount for line in self.lines.all()}


class CategoryAmounts(models.Model):
    """One budget category's amounts: a line of a budget version, or of a proposed one."""

    category = models.CharField(max_length=1, choices=Category.choices)
    federal_amount = money_field(default=0)
    non_federal_amount = money_field(default=0)
    narrative = models.TextField(blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"{self.get_category_display()}: {self.federal_amount} + {self.non_federal_amount}"


def category_amounts_constraints(parent: str, prefix: str) -> list[models.BaseConstraint]:
    """One line per category of its parent, amounts not negative, a known category."""
    return [
        models.UniqueConstraint(fields=[parent, "category"], name=f"{prefix}_one_per_category"),
        models.CheckConstraint(
            condition=Q(federal_amount__gte=0) & Q(non_federal_amount__gte=0),
            name=f"{prefix}_amounts_not_negative",
        ),
        models.CheckConstraint(
            condition=Q(category__in=Category.values), name=f"{prefix}_category_valid"
        ),
    ]


class BudgetLine(CategoryAmounts):
    version = models.ForeignKey(BudgetVersion, on_delete=models.PROTECT, related_name="lines")

    class Meta:
        ordering = ["version", "category"]
        constraints = category_amounts_constraints("version", "budgets_line")


# The kinds of entry and what each needs (budgets.kinds).
NEEDS_CATEGORY = [code for code, kind in KINDS.items() if kind.needs_category]


def kinds_paying(paid: str) -> list[str]:
    """The kinds whose entries may pay an entry of kind `paid` (budgets.kinds)."""
    return [code for code, kind in KINDS.items() if kind.pays == paid]


# A share taken from the entry paid: entries of such kinds are federal unless they pay.
SHARE_OF_PAID = [code for code, kind in KINDS.items() if kind.share_of_paid]
# The entries that may be in kind: each kind's declared share (a recipient's match).
MAY_BE_IN_KIND = reduce(
    or_,
    [Q(kind=code, share=kind.in_kind_share) for code, kind in KINDS.items() if kind.in_kind_share],
)


class LedgerEntry(models.Model):
    """One posted money event on an award. Append-only: a posted entry is never changed
    or deleted; a mistake is corrected by a reversal, a new entry of the same kind that
    points at the one it cancels and counts negatively."""

    Kind = EntryKind
    Share = Share

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="ledger_entries")
    kind = models.CharField(max_length=20, choices=EntryKind.choices)
    category = models.CharField(max_length=1, choices=Category.choices, blank=True)
    share = models.CharField(max_length=10, choices=Share.choices, default=Share.FEDERAL)
    amount = money_field()
    effective_date = models.DateField(
        help_text="When it happened (for an expenditure, when incurred)."
    )
    posted_at = models.DateTimeField(auto_now_add=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    memo = models.CharField(max_length=500, blank=True)
    idempotency_key = models.UUIDField(unique=True)
    obligation = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="liquidations",
        help_text="The obligation an expenditure pays.",
    )
    expenditure = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="payments",
        help_text="The expenditure a disbursement pays.",
    )
    reverses = models.OneToOneField(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversed_by"
    )
    in_kind_basis = models.CharField(
        "In-kind valuation basis",
        max_length=30,
        choices=InKindBasis.choices,
        blank=True,
        help_text="Blank for cash; for a third-party in-kind contribution to the match, "
        "how it is valued.",
    )
    in_kind_description = models.CharField(
        "What was contributed",
        max_length=500,
        blank=True,
        help_text="The contribution and how its value was reached (hours and rate, item "
        "and market price, space and rent).",
    )
    reference = models.CharField(
        max_length=64,
        blank=True,
        help_text="The recipient's own number for it (document or transaction number), as "
        "in its accounting system; unique on the award. Blank for entries made on the form.",
    )

    class Meta:
        ordering = ["effective_date", "pk"]
        verbose_name_plural = "ledger entries"
        # A mistake is corrected by a reversal, never by changing the entry.
        triggers = [protected.append_only("ledger_entry_append_only")]
        indexes = [
            models.Index(
                fields=["award", "kind", "effective_date"], name="budgets_ledger_award_kind_idx"
            ),
            # Ledger order within an award: a cursor page of the ledger (the API) reads
            # its rows from this index instead of sorting the award's every entry.
            models.Index(
                fields=["award", "effective_date", "id"], name="budgets_ledger_award_order_idx"
            ),
            # The ledger page sorted by amount (either way) reads its page from here.
            models.Index(fields=["award", "amount", "id"], name="budgets_ledger_amount_idx"),
            # The match met in kind (balances.match_met) reads the few in-kind entries,
            # not the award's every expenditure.
            models.Index(
                fields=["award", "effective_date"],
                condition=~Q(in_kind_basis=""),
                name="budgets_ledger_in_kind_idx",
            ),
        ]
        constraints = [
            # An imported line is posted once: uploading a file again finds its references.
            models.UniqueConstraint(
                fields=["award", "reference"],
                condition=~Q(reference=""),
                name="budgets_ledger_reference_unique",
            ),
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="budgets_ledger_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=EntryKind.values), name="budgets_ledger_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(share__in=Share.values), name="budgets_ledger_share_valid"
            ),
            models.CheckConstraint(
                condition=Q(category="") | Q(category__in=Category.values),
                name="budgets_ledger_category_valid",
            ),
            # Spending and obligations name their budget category; cash movements do not.
            models.CheckConstraint(
                condition=Q(kind__in=NEEDS_CATEGORY, category__in=Category.values)
                | (~Q(kind__in=NEEDS_CATEGORY) & Q(category="")),
                name="budgets_ledger_category_matches_kind",
            ),
            models.CheckConstraint(
                condition=Q(obligation__isnull=True) | Q(kind__in=kinds_paying("obligation")),
                name="budgets_ledger_only_expenditures_liquidate",
            ),
            models.CheckConstraint(
                condition=Q(expenditure__isnull=True) | Q(kind__in=kinds_paying("expenditure")),
                name="budgets_ledger_only_disbursements_pay_expenditures",
            ),
            # Recipient money paid out is a payment of a match expenditure, never cash
            # on hand of its own.
            models.CheckConstraint(
                condition=~Q(kind__in=SHARE_OF_PAID)
                | Q(share=Share.FEDERAL)
                | Q(expenditure__isnull=False),
                name="budgets_ledger_recipient_payment_pays_expenditure",
            ),
            models.CheckConstraint(
                condition=Q(in_kind_basis="") | Q(in_kind_basis__in=InKindBasis.values),
                name="budgets_ledger_in_kind_basis_valid",
            ),
            # Only the recipient's match may be met in kind; federal money is cash.
            models.CheckConstraint(
                condition=Q(in_kind_basis="") | MAY_BE_IN_KIND,
                name="budgets_ledger_in_kind_only_match",
            ),
            # An in-kind contribution says what it was; a cash entry carries no such text.
            models.CheckConstraint(
                condition=Q(in_kind_basis="", in_kind_description="")
                | (~Q(in_kind_basis="") & ~Q(in_kind_description="")),
                name="budgets_ledger_in_kind_described",
            ),
        ]

    def __str__(self) -> str:
        label = "Reversal of " if self.reverses_id else ""
        # The kind's label from its table (as get_kind_display, without the choices'
        # lookup: every audit event of a ledger import names its entry).
        return f"{label}{KINDS[self.kind].label} {self.amount} on {self.effective_date}"

    @property
    def paying(self) -> bool:
        """It pays an earlier entry: an expenditure an obligation, a disbursement an
        expenditure (budgets.kinds.LedgerKind.pays)."""
        pays = KINDS[self.kind].pays
        return bool(pays) and getattr(self, f"{pays}_id") is not None

    @property
    def in_kind(self) -> bool:
        return bool(self.in_kind_basis)


def _day_total(help_text: str) -> models.DecimalField:
    # Signed (reversals subtract) and two digits wider than an entry: a sum of entries.
    return models.DecimalField(max_digits=16, decimal_places=2, default=0, help_text=help_text)


class LedgerDay(models.Model):
    """Per award and day, the signed totals of that day's ledger entries by SF-425 line.

    Derived data, written only by `budgets.ledger_days.add_entry` in the same transaction
    (and under the same award lock) as the entry itself, so that a balance as of any date
    sums one row per day with activity instead of every entry. `check_ledgers` compares
    it with the entries; `budgets.ledger_days.rebuild` recomputes it."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    # ...and one column per ledger total (budgets.kinds.TOTALS), added below.

    class Meta:
        ordering = ["award", "day"]
        constraints = [
            models.UniqueConstraint(fields=["award", "day"], name="budgets_ledger_day_unique"),
        ]
        indexes = [
            # Interest on advances (budgets.interest) is summed over every award of a
            # recipient: only the few days that moved it are read.
            models.Index(
                fields=["award", "day"],
                condition=~Q(interest_earned=0) | ~Q(interest_remitted=0),
                name="budgets_day_interest_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} on {self.day}"


# One signed column per ledger total: a total declared in budgets.kinds is a column here.
for _total in TOTALS:
    LedgerDay.add_to_class(_total.name, _day_total(_total.help_text))
del _total


class LedgerCategoryDay(models.Model):
    """Per award, day and budget category, the signed totals of that day's entries that
    are summed per category (budgets.kinds.CATEGORY_TOTALS). An entry counts in its own
    category, except that a payment of an obligation liquidates it in the obligation's
    (Total.category_field); a deobligation, naming none, counts under "".

    Derived data, written with each entry like LedgerDay (budgets.ledger_days), so that
    budget against actual and the 10% transfer rule sum a row per day and category rather
    than every entry. `check_ledgers` compares it with the entries."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="+")
    day = models.DateField()
    category = models.CharField(max_length=1, blank=True)

    class Meta:
        ordering = ["award", "day", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "day", "category"], name="budgets_ledger_category_day_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.award} on {self.day}, category {self.category or '(none)'}"


for _total in TOTALS:
    if _total.name in CATEGORY_TOTALS:
        LedgerCategoryDay.add_to_class(_total.name, _day_total(_total.help_text))
del _total


class DrawdownStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    PAID = "paid", "Paid"


# What a decided drawdown request keeps for good: the request and the decision on it.
DECISION_FIELDS = (
    "award",
    "amount",
    "requested_on",
    "requested_by",
    "requested_at",
    "memo",
    "idempotency_key",
    "review_reasons",
    "decided_by",
    "decided_at",
    "decision_note",
)


# What the requester wrote: no decision changes it.
REQUEST_FIELDS = tuple(
    f for f in DECISION_FIELDS if f not in ("decided_by", "decided_at", "decision_note")
)
# An approved request rejected before it is paid (budgets.ledger.drawdown_reject).
APPROVED_TO_REJECTED = pgtrigger.Q(old__status=DrawdownStatus.APPROVED) & pgtrigger.Q(
    new__status=DrawdownStatus.REJECTED
)


class DrawdownRequest(models.Model):
    """A request for federal cash. Requested and approved requests hold their amount
    against what may be drawn; payment posts the drawdown to the ledger."""

    Status = DrawdownStatus
    OPEN = (DrawdownStatus.REQUESTED, DrawdownStatus.APPROVED)

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="drawdown_requests")
    amount = money_field()
    status = models.CharField(
        max_length=10, choices=DrawdownStatus.choices, default=DrawdownStatus.REQUESTED
    )
    requested_on = models.DateField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(auto_now_add=True)
    memo = models.CharField(max_length=500, blank=True)
    idempotency_key = models.UUIDField(unique=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)
    review_reasons = models.JSONField(
        default=list,
        blank=True,
        help_text="Why the request waits for a financial approver, one sentence each "
        "(budgets.cash_need); empty when it was approved automatically.",
    )
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    ledger_entry = models.OneToOneField(
        LedgerEntry,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="drawdown_request",
    )

    class Meta:
        ordering = ["-requested_at", "-pk"]
        indexes = [
            # The drawdown queue, newest request first: a page is read from the index
            # instead of joining and sorting every request of the program.
            models.Index(fields=["requested_on", "id"], name="budgets_drawdown_queue_idx"),
        ]
        triggers = [
            protected.never_deleted("drawdown_never_deleted"),
            # Once rejected or paid, the request and its decision stand. An approved one
            # may still move to paid (with who paid it and its ledger entry), or be
            # rejected before any cash is sent (the rejection is its decision then; the
            # approval stays on the audit trail).
            protected.refuse_update(
                "drawdown_decision_final",
                ~pgtrigger.Q(old__status=DrawdownStatus.REQUESTED)
                & (
                    (protected.changed(*DECISION_FIELDS) & ~APPROVED_TO_REJECTED)
                    | (
                        ~pgtrigger.Q(old__status=DrawdownStatus.APPROVED)
                        & protected.changed("status", "paid_by", "ledger_entry")
                    )
                    | (
                        pgtrigger.Q(old__status=DrawdownStatus.APPROVED)
                        & protected.changed("status")
                        & ~pgtrigger.Q(new__status=DrawdownStatus.PAID)
                        & ~pgtrigger.Q(new__status=DrawdownStatus.REJECTED)
                    )
                    | (
                        APPROVED_TO_REJECTED
                        & protected.changed(*REQUEST_FIELDS, "paid_by", "ledger_entry")
                    )
                ),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="budgets_drawdown_amount_positive"
            ),
            models.CheckConstraint(
                condition=Q(status__in=DrawdownStatus.values), name="budgets_drawdown_status_valid"
            ),
            # Separation of duties: whoever asks for cash never approves it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="budgets_drawdown_decider_not_requester",
            ),
            models.CheckConstraint(
                condition=~Q(status=DrawdownStatus.PAID) | Q(ledger_entry__isnull=False),
                name="budgets_drawdown_paid_has_entry",
            ),
        ]

    def __str__(self) -> str:
        return f"Drawdown {self.amount} for {self.award} ({self.get_status_display()})"

    @property
    def returned_on(self):
        """The day the cash of a paid request went back to the Treasury (its drawdown
        entry reversed), or None. The request stays "paid": the return is a ledger entry
        of its own."""
        if self.ledger_entry_id is None:
            return None
        reversal = getattr(self.ledger_entry, "reversed_by", None)
        return reversal.effective_date if reversal else None


class ModificationStatus(models.TextChoices):
    REQUESTED = "requested", "Waiting for approval"
    APPROVED = "approved", "Approved"
    REJECTED = "rejected", "Rejected"
    APPLIED = "applied", "Applied (no prior approval needed)"


class BudgetModification(models.Model):
    """A proposed new budget for an award: a transfer among categories (budget
    modification) or, with `supplement_amount`, a supplement that adds funding.

    The assessment against the 10% rule is computed when it is proposed and kept, so the
    page shows what the proposer and the decider saw."""

    Status = ModificationStatus

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="budget_modifications")
    amendment = models.OneToOneField(
        "grants.Amendment",
        on_delete=models.PROTECT,
        related_name="budget_modification",
        null=True,
        blank=True,
        help_text="The grant award modification (GAM) when prior approval is needed.",
    )
    status = models.CharField(max_length=20, choices=Status.choices)
    replaces = models.ForeignKey(
        BudgetVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The current version when proposed; approval replaces it.",
    )
    base = models.ForeignKey(
        BudgetVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version last approved by the awarding agency: transfers are measured against it.",
    )
    result = models.OneToOneField(
        BudgetVersion, on_delete=models.PROTECT, related_name="modification", null=True, blank=True
    )
    supplement_amount = money_field(null=True, blank=True)
    # A decrease or termination (docs/rules/deobligation.md#decreases-and-terminations):
    # the federal amount taken off the award; its amendment says which it is.
    decrease_amount = money_field(null=True, blank=True)
    appropriation = models.ForeignKey(
        "grants.Appropriation", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    award_amount = money_field(help_text="The award's federal amount when proposed.")
    cumulative_transfer = money_field()
    transfer_limit = money_field(help_text="The rule's share of the award, in dollars.")
    transfer_pct = models.DecimalField(max_digits=7, decimal_places=4)
    simplified_acquisition_threshold = money_field()
    exceeds_transfer_limit = models.BooleanField(default=False)
    new_categories = models.CharField(max_length=10, blank=True)
    scope_change = models.BooleanField(default=False)
    # The recipient's share (match) budgeted below the agency-approved budget's: a change
    # in cost sharing, which needs prior approval (2 CFR 200.308).
    match_reduced = models.BooleanField(default=False)
    scope_description = models.TextField(blank=True)
    justification = models.TextField(blank=True)
    needs_approval = models.BooleanField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_on = models.DateField()
    requested_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    decided_on = models.DateField(null=True, blank=True)
    decision_note = models.CharField(max_length=500, blank=True)

    class Meta:
        ordering = ["-requested_at", "-pk"]
        constraints = [
            # One request waiting per award: each is measured against the same base.
            models.UniqueConstraint(
                fields=["award"],
                condition=Q(status=ModificationStatus.REQUESTED),
                name="budgets_modification_one_open_per_award",
            ),
            models.CheckConstraint(
                condition=Q(status__in=ModificationStatus.values),
                name="budgets_modification_status_valid",
            ),
            # Separation of duties: whoever proposes a budget never approves it.
            models.CheckConstraint(
                condition=Q(decided_by__isnull=True) | ~Q(decided_by=F("requested_by")),
                name="budgets_modification_decider_not_requester",
            ),
            models.CheckConstraint(
                condition=Q(cumulative_transfer__gte=0),
                name="budgets_modification_transfer_not_negative",
            ),
            models.CheckConstraint(
                condition=Q(supplement_amount__isnull=True) | Q(supplement_amount__gt=0),
                name="budgets_modification_supplement_positive",
            ),
            models.CheckConstraint(
                condition=Q(supplement_amount__isnull=True) | Q(appropriation__isnull=False),
                name="budgets_modification_supplement_has_source",
            ),
            # Applied at once only when no prior approval is needed.
            models.CheckConstraint(
                condition=~Q(status=ModificationStatus.APPLIED) | Q(needs_approval=False),
                name="budgets_modification_applied_needs_no_approval",
            ),
            models.CheckConstraint(
                condition=~Q(status__in=[ModificationStatus.APPROVED, ModificationStatus.APPLIED])
                | Q(result__isnull=False),
                name="budgets_modification_approved_has_result",
            ),
        ]

    def __str__(self) -> str:
        kind = "Supplement" if self.supplement_amount else "Budget modification"
        return f"{kind} {self.pk} to {self.award}"

    @property
    def new_category_labels(self) -> list[str]:
        # Stored as the category letters run together ("FG"), shown by name.
        return [Category(code).label for code in self.new_categories]

    @property
    def is_supplement(self) -> bool:
        return self.supplement_amount is not None

    @property
    def is_decrease(self) -> bool:
        """A decrease or a termination (its amendment says which)."""
        return self.decrease_amount is not None

    @property
    def changes_funding(self) -> bool:
        return self.is_supplement or self.is_decrease

    @property
    def kind_label(self) -> str:
        if self.is_supplement:
            return "Supplement"
        if self.is_decrease:
            return self.amendment.get_kind_display()
        return "Budget modification"

    @property
    def above_threshold(self) -> bool:
        return self.award_amount > self.simplified_acquisition_threshold

    @property
    def transfer_share(self):
        """The cumulative transfer as a share of the award (0.11 = 11%)."""
        return self.cumulative_transfer / self.award_amount if self.award_amount else 0


class ProposedLine(CategoryAmounts):
    """One category of a proposed budget."""

    modification = models.ForeignKey(
        BudgetModification, on_delete=models.PROTECT, related_name="lines"
    )

    class Meta:
        ordering = ["modification", "category"]
        constraints = category_amounts_constraints("modification", "budgets_proposedline")


class KeptUpload(models.Model):
    """A file uploaded for import, kept between its dry run and the import itself so the
    person importing acts on exactly the file they reviewed: the review page names it by
    its SHA-256, and acting on it reads and checks it all again (budgets.kept_uploads,
    docs/ledger-import.md). It is its uploader's alone (and its award's, for a ledger
    file); uploading the same file again finds it."""

    class Purpose(models.TextChoices):
        LEDGER = "ledger", "Ledger entries"
        ASAP_PAYMENTS = "asap_payments", "ASAP payments"
        PAST_AWARDS = "past_awards", "Past awards"

    purpose = models.CharField(max_length=20, choices=Purpose.choices)
    award = models.ForeignKey(
        Award, on_delete=models.CASCADE, null=True, blank=True, related_name="kept_uploads"
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    sha256 = models.CharField(max_length=64)
    filename = models.CharField(max_length=255)
    content = models.BinaryField()
    uploaded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            # Two, since a unique constraint does not compare an empty award as equal.
            models.UniqueConstraint(
                fields=["purpose", "award", "uploaded_by", "sha256"],
                condition=Q(award__isnull=False),
                name="budgets_keptupload_one_per_award_file",
            ),
            models.UniqueConstraint(
                fields=["purpose", "uploaded_by", "sha256"],
                condition=Q(award__isnull=True),
                name="budgets_keptupload_one_per_file",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filename} ({self.sha256[:12]})"
