"""Forms for factor data and scenarios. They parse input; the services decide."""

from decimal import Decimal

from django import forms

from allocations.formula import FACTOR_LABELS, FACTORS, FloorMode
from allocations.models import AllocationRun
from grants.forms import DATE_WIDGET, AppropriationChoiceField
from grants.models import Appropriation, TaskForce
from grants.money import MoneyFormField

# Starting weights for a new scenario [I]: the statute names the factors, not weights.
DEFAULT_WEIGHTS = {
    "population": Decimal("40"),
    "leads": Decimal("20"),
    "cases_referred": Decimal("20"),
    "prosecutions": Decimal("10"),
    "training": Decimal("10"),
}


def _percent(label: str, **kwargs) -> forms.DecimalField:
    return forms.DecimalField(
        label=label, max_digits=6, decimal_places=3, widget=forms.TextInput, **kwargs
    )


class FactorDataForm(forms.Form):
    population = forms.IntegerField(min_value=0, label=FACTOR_LABELS["population"])
    leads = forms.IntegerField(min_value=0, label=FACTOR_LABELS["leads"])
    cases_referred = forms.IntegerField(min_value=0, label=FACTOR_LABELS["cases_referred"])
    prosecutions = forms.IntegerField(min_value=0, label=FACTOR_LABELS["prosecutions"])
    training = forms.IntegerField(min_value=0, label=FACTOR_LABELS["training"])
    need_score = forms.DecimalField(
        min_value=0,
        max_digits=14,
        decimal_places=2,
        label="Need score",
        help_text="Other criteria of need (factor VI). Need-based funds are shared in "
        "proportion to it; 0 takes no need-based funds.",
    )


class FactorImportForm(forms.Form):
    fiscal_year = forms.IntegerField(min_value=1998, max_value=2100)
    file = forms.FileField(
        help_text="An .xlsx or .csv file with the columns of the factor-data download: "
        "Task force code, Population, Investigative leads, Cases referred, Successful "
        "prosecutions, Training and outreach, Need score."
    )


class RunForm(forms.Form):
    appropriation = AppropriationChoiceField(queryset=Appropriation.objects.none())
    name = forms.CharField(label="Scenario name", max_length=120)
    pool = MoneyFormField(
        required=False,
        help_text="Leave blank for all that is left of the appropriation after set-asides "
        "and earlier awards.",
    )
    formula_pct = _percent("Formula share (% of the pool)", initial=Decimal("75"))
    floor_pct = _percent("Floor (% of the formula funds per task force)", initial=Decimal("0.5"))
    floor_mode = forms.ChoiceField(
        label="How the floor applies", choices=FloorMode.CHOICES, initial=FloorMode.ADDITIVE
    )
    match_pct = _percent("Match (% of need-based funds)", initial=Decimal("25"))
    weight_population = _percent("Weight: population of the state (%)")
    weight_leads = _percent("Weight: investigative leads (%)")
    weight_cases_referred = _percent("Weight: cases referred (%)")
    weight_prosecutions = _percent("Weight: successful prosecutions (%)")
    weight_training = _percent("Weight: training and outreach (%)")
    period_start = forms.DateField(
        widget=DATE_WIDGET, required=False, help_text="Blank: October 1 of the fiscal year."
    )
    period_end = forms.DateField(
        widget=DATE_WIDGET,
        required=False,
        help_text="Blank: September 30 of the following fiscal year.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, appropriations=None, copy_of: AllocationRun | None = None, **kwargs):
        initial = kwargs.setdefault("initial", {})
        for factor in FACTORS:
            initial.setdefault(f"weight_{factor}", DEFAULT_WEIGHTS[factor])
        if copy_of is not None:
            initial.update(
                appropriation=copy_of.appropriation_id,
                name=f"{copy_of.name} (copy)",
                pool=copy_of.pool,
                formula_pct=copy_of.formula_pct,
                floor_pct=copy_of.floor_pct,
                floor_mode=copy_of.floor_mode,
                match_pct=copy_of.match_pct,
                period_start=copy_of.period_start,
                period_end=copy_of.period_end,
                **{f"weight_{f}": getattr(copy_of, f"weight_{f}") for f in FACTORS},
            )
        super().__init__(*args, **kwargs)
        self.fields["appropriation"].queryset = (
            appropriations if appropriations is not None else Appropriation.objects.none()
        )

    def weights(self) -> dict[str, Decimal]:
        return {f: self.cleaned_data[f"weight_{f}"] for f in FACTORS}


class WaiverForm(forms.Form):
    task_force = forms.ModelChoiceField(queryset=TaskForce.objects.none())
    reason = forms.CharField(
        label="Why the match is waived",
        max_length=500,
        help_text="Good cause or financial hardship.",
    )

    def __init__(self, *args, task_forces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = (
            task_forces if task_forces is not None else TaskForce.objects.none()
        )


class CompareForm(forms.Form):
    fiscal_year = forms.TypedChoiceField(coerce=int, choices=())
    runs = forms.ModelMultipleChoiceField(
        label="Scenarios",
        queryset=AllocationRun.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="None chosen: every scenario of the year.",
    )
    state = forms.CharField(label="State (two letters)", max_length=2, required=False)

    def __init__(self, *args, years=(), runs=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["fiscal_year"].choices = [(y, f"FY{y}") for y in years]
        self.fields["runs"].queryset = runs if runs is not None else AllocationRun.objects.none()
        self.fields["runs"].widget.attrs["class"] = "usa-checkbox__input"
