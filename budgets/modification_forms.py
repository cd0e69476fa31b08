"""Forms for proposing a new budget (modification or supplement) and deciding on it."""

from django import forms

from budgets.forms import BudgetLinesForm
from budgets.models import BudgetVersion
from grants.money import MoneyFormField


class ModificationForm(forms.Form):
    justification = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why the budget changes"
    )
    scope_change = forms.BooleanField(
        required=False, label="This change alters the project's scope or objectives"
    )
    scope_description = forms.CharField(
        max_length=2000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What changes in scope",
    )


class SupplementForm(forms.Form):
    appropriation = forms.ModelChoiceField(queryset=None, label="Appropriation it comes from")
    supplement_amount = MoneyFormField(label="Supplement (federal)")
    justification = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="What it pays for"
    )

    def __init__(self, *args, appropriations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appropriation"].queryset = appropriations


class DecreaseForm(forms.Form):
    kind = forms.ChoiceField(
        choices=[
            ("decrease", "Decrease"),
            ("termination", "Termination, in part or whole (2 CFR 200.340)"),
        ],
        label="What it is",
    )
    decrease_amount = MoneyFormField(label="Federal amount taken off the award")
    justification = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why (for a termination: its ground under 200.340(a) and the portion terminated)",
    )


def lines_form(data, version: BudgetVersion | None) -> BudgetLinesForm:
    """The A–J grid, filled with the current budget when first shown."""
    initial = {}
    if version is not None:
        for line in version.lines.all():
            initial[f"federal_{line.category}"] = line.federal_amount
            initial[f"non_federal_{line.category}"] = line.non_federal_amount
            initial[f"narrative_{line.category}"] = line.narrative
    return BudgetLinesForm(data, prefix="budget", initial=initial)
