"""Forms turn posted text into typed values. They save nothing: views hand
cleaned_data to a service, which enforces the rules."""

from django import forms

from grants.models import (
    Appropriation,
    Award,
    IndirectRateAgreement,
    SetAside,
    TaskForce,
    normalize_award_number,
    validate_award_number,
)
from grants.money import MoneyFormField, format_money

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})


class AppropriationForm(forms.Form):
    fiscal_year = forms.IntegerField(min_value=1998, max_value=2100)
    name = forms.CharField(max_length=200, initial="ICAC Task Force Program")
    public_law = forms.CharField(
        max_length=40, required=False, help_text="For example P.L. 118-42."
    )
    source = forms.CharField(max_length=300, help_text="The document the amount comes from.")
    source_status = forms.ChoiceField(choices=Appropriation.SourceStatus.choices)
    amount = MoneyFormField()
    available_from = forms.DateField(widget=DATE_WIDGET)
    available_until = forms.DateField(
        widget=DATE_WIDGET,
        required=False,
        help_text="Leave blank if available until expended.",
    )
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)
    set_aside_training = MoneyFormField(
        label=SetAside.Kind.TRAINING.label, required=False, allow_zero=True
    )
    set_aside_national = MoneyFormField(
        label=SetAside.Kind.NATIONAL.label, required=False, allow_zero=True
    )
    set_aside_management = MoneyFormField(
        label=SetAside.Kind.MANAGEMENT.label, required=False, allow_zero=True
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("available_from"), data.get("available_until")
        if start and end and end <= start:
            self.add_error("available_until", "Availability must end after it starts.")
        return data

    def set_asides(self) -> dict:
        return {
            kind: self.cleaned_data.get(f"set_aside_{kind}")
            for kind in SetAside.Kind.values
            if self.cleaned_data.get(f"set_aside_{kind}")
        }


class AwardNumberField(forms.CharField):
    """An award number, normalised (capitals, no spaces) before it is validated."""

    def to_python(self, value):
        return normalize_award_number(super().to_python(value))


class AwardForm(forms.Form):
    award_number = AwardNumberField(
        max_length=30,
        validators=[validate_award_number],
        help_text="For example 15PJDP-25-GK-01234-MECP.",
    )
    title = forms.CharField(max_length=300)
    task_force = forms.ModelChoiceField(queryset=TaskForce.objects.none())
    period_start = forms.DateField(widget=DATE_WIDGET)
    period_end = forms.DateField(widget=DATE_WIDGET)
    match_required = MoneyFormField(allow_zero=True, initial="0.00")
    program_income_alternative = forms.TypedChoiceField(
        label="Program income alternative",
        choices=Award.ProgramIncomeAlternative.choices,
        initial=Award.ProgramIncomeAlternative.ADDITION,
        required=False,
        empty_value=Award.ProgramIncomeAlternative.ADDITION,
    )
    ug_version = forms.ChoiceField(
        label="Uniform Guidance",
        choices=Award.UniformGuidance.choices,
        initial=Award.UniformGuidance.UG_2024,
    )
    special_conditions = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False)

    def __init__(self, *args, task_forces=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["task_force"].queryset = (
            task_forces if task_forces is not None else TaskForce.objects.none()
        )

    def clean_award_number(self):
        number = self.cleaned_data["award_number"].strip().upper()
        if Award.objects.filter(award_number=number).exists():
            raise forms.ValidationError("An award with this number already exists.")
        return number

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end <= start:
            self.add_error("period_end", "The period of performance must end after it starts.")
        return data


class AppropriationChoiceField(forms.ModelChoiceField):
    """Names each appropriation with what is left of it, from the selector's annotations."""

    def label_from_instance(self, obj):
        left = obj.amount - obj.set_aside_total - obj.awarded_total
        return f"FY{obj.fiscal_year} {obj.name} ({format_money(left)} left)"


class FundingLineForm(forms.Form):
    appropriation = AppropriationChoiceField(queryset=Appropriation.objects.none(), required=False)
    amount = MoneyFormField(required=False)

    def __init__(self, *args, appropriations=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["appropriation"].queryset = (
            appropriations if appropriations is not None else Appropriation.objects.none()
        )

    def clean(self):
        data = super().clean()
        if data.get("appropriation") and data.get("amount") is None and "amount" not in self.errors:
            self.add_error("amount", "Enter the amount this appropriation funds.")
        if data.get("amount") is not None and not data.get("appropriation"):
            self.add_error("appropriation", "Choose the appropriation that funds this amount.")
        return data


FundingFormSet = forms.formset_factory(FundingLineForm, extra=3, max_num=10, absolute_max=10)


class HoldForm(forms.Form):
    reason = forms.CharField(label="Why place a hold", max_length=500)


class AcceptanceForm(forms.Form):
    """The grant administrator's acknowledgement of the award's terms; the service checks
    it again (grants.services.award_transition), so these fields only ask."""

    terms_accepted = forms.BooleanField(
        required=False,
        error_messages={"required": "Tick the box to accept the terms."},
    )
    typed_name = forms.CharField(
        label="Your full name",
        required=False,
        max_length=200,
        help_text="Typed as your signature.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )

    def __init__(self, *args, award: Award, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["terms_accepted"].label = (
            "I have read and accept the award's terms and special conditions on behalf of "
            f"{award.recipient}"
        )


class IndirectRateForm(forms.Form):
    """A recipient's indirect cost rate agreement (grants.indirect_rates)."""

    rate_type = forms.ChoiceField(
        label="Type of rate", choices=[("", "- Select -"), *IndirectRateAgreement.RateType.choices]
    )
    rate = forms.DecimalField(
        label="Rate (percent)",
        max_digits=6,
        decimal_places=3,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        help_text="As agreed, for example 26.5. Leave blank for the de minimis rate: it is "
        "the rate 2 CFR 200.414(f) sets on each day (listed below the form).",
    )
    effective_from = forms.DateField(label="In force from", widget=DATE_WIDGET)
    effective_to = forms.DateField(
        label="In force to",
        widget=DATE_WIDGET,
        required=False,
        help_text="The last day; leave blank until further notice.",
    )
    cognizant_agency = forms.CharField(
        max_length=200,
        required=False,
        help_text="The federal agency that negotiated the rate (not for de minimis).",
    )
    signed_on = forms.DateField(
        label="Date signed",
        widget=DATE_WIDGET,
        required=False,
        help_text="The day the rate agreement was signed (not for de minimis).",
    )
