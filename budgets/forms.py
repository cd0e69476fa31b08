import uuid

from django import forms

from budgets.kinds import KINDS, InKindBasis
from budgets.models import Category, LedgerEntry
from budgets.services import LineInput
from grants.money import MoneyFormField, format_money


class BudgetLinesForm(forms.Form):
    """One row per DOJ category A–J: federal amount, non-federal amount, narrative."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for code, label in Category.choices:
            self.fields[f"federal_{code}"] = MoneyFormField(
                label=f"{label}, federal", required=False, allow_zero=True
            )
            self.fields[f"non_federal_{code}"] = MoneyFormField(
                label=f"{label}, non-federal", required=False, allow_zero=True
            )
            self.fields[f"narrative_{code}"] = forms.CharField(
                label=f"{label}, narrative",
                required=False,
                max_length=2000,
                widget=forms.TextInput(),
            )

    def rows(self):
        """(category label, federal field, non-federal field, narrative field) per category."""
        return [
            (
                label,
                self[f"federal_{code}"],
                self[f"non_federal_{code}"],
                self[f"narrative_{code}"],
            )
            for code, label in Category.choices
        ]

    def lines(self) -> list[LineInput]:
        data = self.cleaned_data
        return [
            LineInput(
                category=code,
                federal_amount=data.get(f"federal_{code}") or 0,
                non_federal_amount=data.get(f"non_federal_{code}") or 0,
                narrative=data.get(f"narrative_{code}") or "",
            )
            for code in Category.values
        ]


class IdempotentForm(forms.Form):
    """Carries a key minted when the form is rendered, so a double submit posts once."""

    idempotency_key = forms.UUIDField(widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {}).setdefault("idempotency_key", uuid.uuid4())
        super().__init__(*args, **kwargs)


class EntryForm(IdempotentForm):
    """An entry of a kind a finance officer records (budgets.kinds), showing the fields
    its kind declares. Only the fields declared here are read: anything else posted (a
    status, an approver) is ignored."""

    effective_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    amount = MoneyFormField()
    category = forms.ChoiceField(
        choices=[("", "Choose a category")] + Category.choices, required=False
    )
    share = forms.ChoiceField(choices=LedgerEntry.Share.choices, initial=LedgerEntry.Share.FEDERAL)
    obligation = forms.ModelChoiceField(
        queryset=LedgerEntry.objects.none(),
        required=False,
        empty_label="None: not paying an obligation",
    )
    expenditure = forms.ModelChoiceField(
        queryset=LedgerEntry.objects.none(),
        required=False,
        label="Pays expenditure",
        empty_label="None: cash paid out that is not one expenditure (a payroll run "
        "covering several, an advance to a subrecipient)",
    )
    paid_on = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}),
        required=False,
        label="Date paid",
        help_text="If it is paid already: its payment is recorded with it. Leave blank "
        "until it is paid, then record the payment from the ledger.",
    )
    in_kind_basis = forms.ChoiceField(
        choices=[("", "Not in kind: paid in cash")] + InKindBasis.choices,
        required=False,
        label="In-kind contribution (match only)",
    )
    in_kind_description = forms.CharField(
        max_length=500,
        required=False,
        label="What was contributed, and how it was valued",
    )
    memo = forms.CharField(max_length=500, required=False)

    def __init__(self, *args, kind: str, obligations=None, expenditures=None, **kwargs):
        super().__init__(*args, **kwargs)
        declared = KINDS[kind]
        keep = set(declared.form_fields) | {"idempotency_key"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.fields["effective_date"].label = declared.date_label
        if declared.needs_reason:
            self.fields["memo"].label, self.fields["memo"].required = "Reason", True
        if "share" in self.fields:
            self.fields["share"].choices = [
                (code, LedgerEntry.Share(code).label) for code in declared.shares
            ]
            self.fields["share"].initial = declared.shares[0]
        if "obligation" in self.fields:
            self.fields["obligation"].queryset = (
                obligations if obligations is not None else LedgerEntry.objects.none()
            )
            self.fields["obligation"].label_from_instance = lambda o: (
                f"{o.effective_date:%m/%d/%Y} {o.get_category_display()} {format_money(o.amount)} {o.memo}"
            )
        if "expenditure" in self.fields:
            self.fields["expenditure"].queryset = (
                expenditures if expenditures is not None else LedgerEntry.objects.none()
            )
            self.fields["expenditure"].label_from_instance = lambda e: (
                f"#{e.pk} {e.effective_date:%m/%d/%Y} {e.get_category_display()} "
                f"{e.get_share_display().lower()}: {format_money(e.unpaid)} unpaid {e.memo}"
            )


class DrawdownForm(IdempotentForm):
    amount = MoneyFormField()
    memo = forms.CharField(max_length=500, required=False, label="What the cash is for")


class ReverseForm(IdempotentForm):
    reason = forms.CharField(max_length=500, label="Why reverse this entry")


class PaymentFileForm(forms.Form):
    file = forms.FileField(
        label="ASAP payments file",
        help_text="An .xlsx or .csv file with the columns Award number, Payment date "
        "(the settlement date), Amount and, if you have it, ASAP control number "
        "(the drawdown request's number). Other columns are ignored.",
    )


class HistoryFileForm(forms.Form):
    file = forms.FileField(
        label="Past awards file",
        help_text="An .xlsx or .csv file with the columns Award number, Recipient (the task "
        "force's code or name), Fiscal year, Period start, Period end, Federal amount, "
        "Appropriation (its fiscal year; the award's year if left out), Final federal "
        "expenditures and Deobligated.",
    )
