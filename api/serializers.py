"""What the API shows of each record. Money is a string with two decimals ("1234.50"),
never a JSON number, so no client reads it as a float."""

from rest_framework import serializers

from budgets.models import DrawdownRequest, LedgerEntry
from grants.models import Appropriation, Award, AwardFunding, TaskForce
from grants.money import MAX_DIGITS


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
    reverses = serializers.PrimaryKeyRelatedField(read_only=True)
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
    decided_by = serializers.CharField(source="decided_by.username", default=None)
    ledger_entry = serializers.PrimaryKeyRelatedField(read_only=True)

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


class EntryWriteSerializer(serializers.Serializer):
    """The body of a new ledger entry: the fields its kind's form shows (budgets.kinds)."""

    kind = serializers.CharField(help_text="obligation, expenditure, disbursement, ...")
    effective_date = serializers.DateField()
    amount = serializers.CharField(help_text='A string, such as "1250.00".')
    category = serializers.CharField(required=False, help_text="A to J, for kinds that name one.")
    share = serializers.CharField(required=False, help_text="federal or non_federal.")
    obligation = serializers.IntegerField(required=False, help_text="The obligation paid, by id.")
    expenditure = serializers.IntegerField(required=False, help_text="The expenditure paid, by id.")
    paid_on = serializers.DateField(required=False, help_text="An expenditure paid already.")
    in_kind_basis = serializers.CharField(required=False)
    in_kind_description = serializers.CharField(required=False)
    memo = serializers.CharField(required=False)


class ReversalWriteSerializer(serializers.Serializer):
    reason = serializers.CharField()


class DrawdownWriteSerializer(serializers.Serializer):
    amount = serializers.CharField(help_text='A string, such as "1250.00".')
    memo = serializers.CharField(required=False)
