"""What the API shows of each record. Money is a string with two decimals ("1234.50"),
never a JSON number, so no client reads it as a float."""

from rest_framework import serializers

from budgets.kinds import InKindBasis
from budgets.ledger import RECORDABLE_KINDS
from budgets.models import Category, DrawdownRequest, LedgerEntry
from grants.models import Appropriation, Award, AwardFunding, TaskForce
from grants.money import MAX_DIGITS
from reports.models import MEASURES, ProgressReport


def money(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=2, coerce_to_string=True, read_only=True, **kwargs
    )


class TaskForceSerializer(serializers.ModelSerializer):
    lead_organization = serializers.CharField(source="lead_organization.legal_name")
    awarded_total = money(help_text="Federal amount of every award to the task force.")

    class Meta:
        model = TaskForce
        fields = ["code", "name", "state", "lead_organization", "awarded_total"]


class AppropriationSerializer(serializers.ModelSerializer):
    amount = money()
    set_aside_total = money()
    awarded_total = money(help_text="Every funding line from the appropriation.")
    returned_total = money(help_text="What awards gave back (decreases, deobligation).")

    class Meta:
        model = Appropriation
        fields = [
            "id",
            "fiscal_year",
            "name",
            "public_law",
            "account",
            "available_from",
            "available_until",
            "amount",
            "set_aside_total",
            "awarded_total",
            "returned_total",
        ]


class FundingLineSerializer(serializers.ModelSerializer):
    appropriation = serializers.PrimaryKeyRelatedField(read_only=True)
    appropriation_name = serializers.CharField(source="appropriation.name")
    fiscal_year = serializers.IntegerField(source="appropriation.fiscal_year")
    amount = money()

    class Meta:
        model = AwardFunding
        fields = ["appropriation", "appropriation_name", "fiscal_year", "amount"]


class AwardSerializer(serializers.ModelSerializer):
    task_force = serializers.SlugRelatedField(slug_field="code", read_only=True)
    recipient = serializers.CharField(source="recipient.legal_name")
    recipient_uei = serializers.CharField(source="recipient.uei")
    federal_amount = money()
    funding_lines = FundingLineSerializer(many=True, read_only=True)

    class Meta:
        model = Award
        fields = [
            "award_number",
            "fiscal_year",
            "title",
            "status",
            "task_force",
            "recipient",
            "recipient_uei",
            "period_start",
            "period_end",
            "federal_amount",
            "program_income_alternative",
            "drawdowns_need_approval",
            "funding_lines",
        ]


class BalancesSerializer(serializers.Serializer):
    """An award's balances as of the end of a day (budgets.balances.award_balances),
    named by their SF-425 lines."""

    as_of = serializers.DateField()
    drawn = money(help_text="10a Cash receipts")
    disbursed = money(help_text="10b Cash disbursements")
    cash_on_hand = money(help_text="10c Cash on hand (10a − 10b)")
    authorized = money(help_text="10d Total federal funds authorized")
    federal_expenditures = money(help_text="10e Federal share of expenditures")
    unliquidated = money(help_text="10f Federal share of unliquidated obligations")
    total_federal_share = money(help_text="10g Total federal share (10e + 10f)")
    unobligated = money(help_text="10h Unobligated balance of federal funds (10d − 10g)")
    match_required = money(help_text="10i Total recipient share required")
    recipient_expenditures = money(help_text="10j Recipient share of expenditures")
    match_remaining = money(help_text="10k Remaining recipient share to be provided (10i − 10j)")
    program_income = money(help_text="10l Total federal program income earned")
    program_income_spent = money(
        help_text="10m or 10n Program income expended, by the award's program income alternative"
    )
    unexpended_program_income = money(help_text="10o Unexpended program income")
    pending_drawdowns = money(help_text="Drawdown requests still open now")
    available_to_draw = money(help_text="10d less drawn and pending requests")


class LedgerEntrySerializer(serializers.ModelSerializer):
    amount = money()
    actor = serializers.CharField(source="actor.username")
    reverses = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)
    obligation = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The obligation an expenditure pays."
    )
    expenditure = serializers.PrimaryKeyRelatedField(
        read_only=True, allow_null=True, help_text="The expenditure a disbursement pays."
    )
    reversed_by = serializers.SerializerMethodField()
    cash_after = money(help_text="The award's cash on hand after this entry, in ledger order.")
    federal_spent_after = money(help_text="Federal expenditures after this entry.")

    class Meta:
        model = LedgerEntry
        fields = [
            "id",
            "kind",
            "category",
            "share",
            "amount",
            "effective_date",
            "posted_at",
            "actor",
            "memo",
            "reference",
            "obligation",
            "expenditure",
            "reverses",
            "reversed_by",
            "cash_after",
            "federal_spent_after",
        ]

    def get_reversed_by(self, entry) -> int | None:
        reversal = getattr(entry, "reversed_by", None)
        return reversal.pk if reversal is not None else None


class DrawdownRequestSerializer(serializers.ModelSerializer):
    award = serializers.CharField(source="award.award_number")
    amount = money()
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", default=None, allow_null=True)
    ledger_entry = serializers.PrimaryKeyRelatedField(read_only=True, allow_null=True)

    class Meta:
        model = DrawdownRequest
        fields = [
            "id",
            "award",
            "amount",
            "status",
            "requested_on",
            "requested_by",
            "memo",
            "decided_by",
            "decided_at",
            "decision_note",
            "ledger_entry",
        ]


class LedgerEntryWrittenSerializer(LedgerEntrySerializer):
    """An entry as a write returns it: the running balances are read from the ledger."""

    class Meta(LedgerEntrySerializer.Meta):
        fields = [
            f
            for f in LedgerEntrySerializer.Meta.fields
            if f not in ("cash_after", "federal_spent_after")
        ]


# The kinds a finance officer records (named in SPECTACULAR_SETTINGS' enum names).
RECORDABLE_KIND_CHOICES = [(k.value, k.label) for k in RECORDABLE_KINDS]
AMOUNT_PATTERN = r"^[0-9]{1,11}(\.[0-9]{1,2})?$"


def amount_field(**kwargs) -> serializers.RegexField:
    """How a request gives an amount: a string of dollars and cents. The schema only
    describes it; the form reads it and says what is wrong with it."""
    return serializers.RegexField(
        AMOUNT_PATTERN, help_text='A string, such as "1250.00".', **kwargs
    )


def text(max_length: int = 500, **kwargs) -> serializers.CharField:
    return serializers.CharField(max_length=max_length, allow_blank=True, **kwargs)


class EntryWriteSerializer(serializers.Serializer):
    """The body of a new ledger entry: the fields its kind's form shows (budgets.kinds)."""

    kind = serializers.ChoiceField(choices=RECORDABLE_KIND_CHOICES)
    effective_date = serializers.DateField()
    amount = amount_field()
    category = serializers.ChoiceField(
        choices=Category.values, required=False, help_text="For kinds that name one."
    )
    share = serializers.ChoiceField(choices=LedgerEntry.Share.values, required=False)
    obligation = serializers.IntegerField(required=False, help_text="The obligation paid, by id.")
    expenditure = serializers.IntegerField(required=False, help_text="The expenditure paid, by id.")
    paid_on = serializers.DateField(required=False, help_text="An expenditure paid already.")
    in_kind_basis = serializers.ChoiceField(choices=InKindBasis.values, required=False)
    in_kind_description = text(required=False)
    memo = text(required=False)


class ReversalWriteSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class DrawdownWriteSerializer(serializers.Serializer):
    amount = amount_field()
    memo = text(required=False)


class BudgetLineSerializer(serializers.Serializer):
    category = serializers.CharField(help_text="A to J, as on the SF-424A.")
    federal_amount = money()
    non_federal_amount = money()


class BudgetVersionSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    status = serializers.CharField(help_text="approved (current) or superseded.")
    effective_on = serializers.DateField(
        allow_null=True, help_text="First day it governs; null: from its approval."
    )
    approved_at = serializers.DateTimeField()
    agency_approved = serializers.BooleanField(
        help_text="False for a modification applied without prior approval."
    )
    federal_total = money()
    non_federal_total = money()
    lines = BudgetLineSerializer(many=True, read_only=True)


class TermsFundingLineSerializer(FundingLineSerializer):
    amendment = serializers.IntegerField(
        source="amendment.number",
        default=None,
        allow_null=True,
        help_text="The amendment that added the line; null for the original award.",
    )

    class Meta(FundingLineSerializer.Meta):
        fields = [*FundingLineSerializer.Meta.fields, "amendment"]


class AmendmentInEffectSerializer(serializers.Serializer):
    number = serializers.IntegerField()
    kind = serializers.CharField()
    effective_on = serializers.DateField()
    description = serializers.CharField()


class TermsSerializer(serializers.Serializer):
    """An award's terms as they stood on a day (budgets.terms.award_terms_as_of)."""

    as_of = serializers.DateField(source="terms.on")
    period_start = serializers.DateField(source="terms.period_start")
    period_end = serializers.DateField(source="terms.period_end")
    federal_amount = money(source="terms.federal_amount")
    match_required = money(source="terms.match_required")
    funding_lines = TermsFundingLineSerializer(
        source="terms.funding_lines", many=True, read_only=True
    )
    amendments_in_effect = AmendmentInEffectSerializer(
        source="terms.amendments_in_effect", many=True, read_only=True
    )
    budget = BudgetVersionSerializer(
        allow_null=True,
        read_only=True,
        help_text="The budget version in force that day; null if none was approved yet.",
    )


class ReportDueSerializer(serializers.Serializer):
    """A report an award owes, as the reporting calendar lists it."""

    award = serializers.CharField(source="due.award.award_number")
    kind = serializers.CharField(source="due.kind", help_text="sf425, progress, ...")
    label = serializers.CharField(source="due.label")
    period_start = serializers.DateField(source="due.period_start")
    period_end = serializers.DateField(source="due.period_end")
    due_on = serializers.DateField(source="due.due_on")
    is_final = serializers.BooleanField(source="due.is_final")
    state = serializers.CharField(
        help_text="Upcoming, Open for filing, Overdue, Submitted, Returned for correction "
        "or Accepted."
    )
    days_late = serializers.IntegerField()
    submitted_at = serializers.DateTimeField(
        source="filed.submitted_at", default=None, allow_null=True
    )


class SF425LineSerializer(serializers.Serializer):
    line = serializers.CharField(help_text="The SF-425 line: 10a to 10o, 11g-d to 11g-f.")
    label = serializers.CharField()
    amount = serializers.DecimalField(
        max_digits=MAX_DIGITS, decimal_places=2, coerce_to_string=True, allow_null=True
    )


class CertifiedSF425Serializer(serializers.Serializer):
    status = serializers.CharField()
    submitted_at = serializers.DateTimeField()
    submitted_by = serializers.CharField(source="submitted_by.username")
    submissions = serializers.IntegerField()
    certifier_name = serializers.CharField()
    certifier_title = serializers.CharField()
    remarks = serializers.CharField()
    lines = SF425LineSerializer(many=True, read_only=True, source="certified_lines")


class SF425Serializer(serializers.Serializer):
    """The SF-425 of one reporting period: as the ledger computes it now, and as it was
    certified if it was filed; `variance` names the lines that differ."""

    award = serializers.CharField(source="computed.award_number")
    period_end = serializers.DateField(source="computed.reporting_period_end")
    report_type = serializers.CharField(source="computed.report_type")
    basis = serializers.CharField(source="computed.basis")
    computed = SF425LineSerializer(many=True, read_only=True, source="computed_lines")
    certified = CertifiedSF425Serializer(allow_null=True, read_only=True)
    variance = serializers.ListField(
        child=serializers.CharField(),
        help_text="The lines whose computed amount differs from the certified one.",
    )


MEASURE_NAMES = [name for name, _ in MEASURES]


class ProgressReportSerializer(serializers.ModelSerializer):
    award = serializers.CharField(source="award.award_number")
    submitted_by = serializers.CharField(source="submitted_by.username")
    reviewed_by = serializers.CharField(
        source="reviewed_by.username", default=None, allow_null=True
    )

    class Meta:
        model = ProgressReport
        fields = [
            "id",
            "award",
            "period_end",
            "is_final",
            "status",
            "submitted_by",
            "submitted_at",
            "submissions",
            "reviewed_by",
            "reviewed_at",
            "review_comment",
            "accomplishments",
            "challenges",
            "next_steps",
            *MEASURE_NAMES,
        ]


class ProgressReportWriteSerializer(serializers.Serializer):
    """The body of a progress report: the page's form fields; each measure a whole
    number, 0 or more."""

    accomplishments = serializers.CharField(max_length=10000)
    challenges = text(10000, required=False)
    next_steps = text(10000, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name, label in MEASURES:
            fields[name] = serializers.IntegerField(
                min_value=0, max_value=10_000_000, help_text=label
            )
        return fields


class ProgressDraftSerializer(serializers.Serializer):
    """A progress report being written: the form's fields as saved so far (a measure not
    yet counted is null), who saved them last and when."""

    award = serializers.CharField(source="award.award_number")
    period_end = serializers.DateField()
    updated_by = serializers.CharField(source="updated_by.username")
    updated_at = serializers.DateTimeField()
    accomplishments = serializers.CharField(source="data.accomplishments", default="")
    challenges = serializers.CharField(source="data.challenges", default="")
    next_steps = serializers.CharField(source="data.next_steps", default="")

    def get_fields(self):
        fields = super().get_fields()
        for name, label in MEASURES:
            fields[name] = serializers.IntegerField(
                source=f"data.{name}", default=None, allow_null=True, help_text=label
            )
        return fields


class ProgressDraftWriteSerializer(serializers.Serializer):
    """The body of a draft: any of the progress report's fields, each optional; a measure
    is a whole number, 0 or more, or null while not yet counted."""

    accomplishments = text(10000, required=False)
    challenges = text(10000, required=False)
    next_steps = text(10000, required=False)

    def get_fields(self):
        fields = super().get_fields()
        for name, label in MEASURES:
            fields[name] = serializers.IntegerField(
                min_value=0, max_value=10_000_000, required=False, allow_null=True, help_text=label
            )
        return fields
