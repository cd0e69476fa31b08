from django import forms

from budgets.models import Category
from budgets.services import LineInput
from grants.money import MoneyFormField


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
        for field in self.fields.values():
            field.widget.attrs.setdefault("class", "usa-input")

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
