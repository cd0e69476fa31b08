"""The forms of compliance pages. Rules are the services'; a form only turns text into
values (an amount, a date, a choice among what the person may pick)."""

from django import forms

from compliance.models import AuditFinding, Disposition
from grants.money import MoneyFormField


def _date(label: str, **kwargs) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}), **kwargs)


class SubrecipientForm(forms.Form):
    task_force = forms.ModelChoiceField(queryset=None, empty_label=None)
    legal_name = forms.CharField(label="Legal name", max_length=200)
    uei = forms.CharField(
        label="UEI", max_length=20, help_text="The 12-character Unique Entity ID from SAM.gov."
    )
    ein = forms.CharField(label="EIN", max_length=10, required=False, help_text="NN-NNNNNNN")

    def __init__(self, *args, task_forces, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = task_forces


class SubawardForm(forms.Form):
    subrecipient = forms.ModelChoiceField(queryset=None)
    agreement_number = forms.CharField(label="Agreement number", max_length=60)
    amount = MoneyFormField(label="Amount")
    signed_on = _date("Date signed")
    purpose = forms.CharField(max_length=500)

    def __init__(self, *args, subrecipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["subrecipient"].queryset = subrecipients


class EntryChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, entry):
        return f"#{entry.pk} {entry.effective_date:%m/%d/%Y} {entry.get_category_display()} ${entry.amount:,.2f} {entry.memo}".strip()


class SpendingLinkForm(forms.Form):
    entry = EntryChoiceField(
        queryset=None,
        label="Ledger expenditure",
        help_text="A federal category G expenditure not yet linked.",
    )

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class SamRegistrationForm(forms.Form):
    expires_on = _date(
        "Registration expires on", help_text="As SAM.gov shows it after registration or renewal."
    )


class SingleAuditForm(forms.Form):
    fiscal_year_end = forms.TypedChoiceField(label="Fiscal year ending", coerce=str)
    auditor = forms.CharField(max_length=200, required=False)
    auditor_report_on = _date("Date of the auditor's report", required=False)
    fac_report_id = forms.CharField(
        label="FAC report ID",
        max_length=40,
        required=False,
        help_text="Such as 2024-06-GSAFAC-0000345049.",
    )
    fac_accepted_on = _date("Date the FAC accepted it", required=False)

    def __init__(self, *args, year_ends, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year_end"].choices = [
            (d.isoformat(), f"{d:%m/%d/%Y}") for d in year_ends
        ]


class FindingForm(forms.Form):
    reference = forms.CharField(
        label="Reference number", max_length=20, help_text="Such as 2024-001."
    )
    award = forms.ModelChoiceField(queryset=None, required=False, empty_label="Not award-specific")
    summary = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=2000)
    questioned_costs = MoneyFormField(label="Questioned costs", allow_zero=True, required=False)

    def __init__(self, *args, awards, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["award"].queryset = awards


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=AuditFinding.Decision.choices)
    decision_on = _date("Date of the management decision")
    corrective_action = forms.CharField(
        label="Corrective action",
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
        required=False,
    )


class EquipmentForm(forms.Form):
    entry = EntryChoiceField(
        queryset=None, label="Paid by", help_text="A category D (equipment) expenditure."
    )
    description = forms.CharField(max_length=300)
    tag = forms.CharField(label="Property tag or serial number", max_length=60)
    unit_cost = MoneyFormField(label="Cost per unit")
    acquired_on = _date("Date bought")
    location = forms.CharField(max_length=200)

    def __init__(self, *args, entries, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["entry"].queryset = entries


class InventoryForm(forms.Form):
    counted_on = _date("Date counted")
    condition = forms.CharField(max_length=200)
    location = forms.CharField(max_length=200, required=False)


class DispositionForm(forms.Form):
    disposition = forms.ChoiceField(choices=Disposition.choices)
    disposed_on = _date("Date")
    disposition_proceeds = MoneyFormField(
        label="Proceeds of a sale", allow_zero=True, required=False
    )
