"""Forms of the oversight pages. They save nothing: views hand cleaned_data to the
services, which enforce the rules."""

from django import forms

from oversight.models import FinancialStability, MonitoringActivity, RiskLevel, SpecialCondition

DATE_WIDGET = forms.DateInput(attrs={"type": "date"})
TEXT = {"widget": forms.Textarea(attrs={"rows": 3})}


class RiskReviewForm(forms.Form):
    recipient = forms.ModelChoiceField(queryset=None, empty_label="Choose a recipient")
    fiscal_year = forms.IntegerField(
        min_value=1998, max_value=2100, help_text="The federal fiscal year of the awards reviewed."
    )
    reviewed_on = forms.DateField(widget=DATE_WIDGET, label="Reviewed on")
    financial_stability = forms.ChoiceField(
        choices=FinancialStability.choices, widget=forms.RadioSelect
    )
    financial_notes = forms.CharField(required=False, label="Financial notes", **TEXT)
    audit_findings = forms.IntegerField(
        min_value=0,
        max_value=999,
        initial=0,
        required=False,
        label="Findings in the latest single audit",
    )
    audit_material_weakness = forms.BooleanField(
        required=False, label="A material weakness or questioned costs"
    )
    audit_notes = forms.CharField(required=False, label="Audit notes", **TEXT)
    sam_active = forms.BooleanField(required=False, label="SAM.gov registration active")
    sam_expires_on = forms.DateField(
        widget=DATE_WIDGET, required=False, label="SAM.gov registration expires on"
    )
    exclusions_found = forms.BooleanField(
        required=False, label="An exclusion is recorded in SAM.gov"
    )
    sam_checked_on = forms.DateField(widget=DATE_WIDGET, label="SAM.gov checked on")

    def __init__(self, *args, recipients, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient"].queryset = recipients

    def clean_audit_findings(self):
        return self.cleaned_data.get("audit_findings") or 0


class DecisionForm(forms.Form):
    level = forms.ChoiceField(
        choices=RiskLevel.choices, widget=forms.RadioSelect, label="Risk level"
    )
    level_reason = forms.CharField(
        required=False, label="Why the level differs from the computed one", **TEXT
    )
    conditions = forms.MultipleChoiceField(
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label="Special conditions to impose on the recipient's awards of the year",
    )
    clear_by = forms.DateField(
        widget=DATE_WIDGET, required=False, label="Conditions to be cleared by"
    )
    signature = forms.CharField(max_length=200, label="Your full name, as your signature")

    def __init__(self, *args, proposed, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["conditions"].choices = [
            (c.key, c.text + (" (withholds funds)" if c.withholds_funds else "")) for c in proposed
        ]
        if not proposed:
            del self.fields["conditions"]
            del self.fields["clear_by"]


class ConditionForm(forms.Form):
    text = forms.CharField(
        required=False, label="Condition", help_text="What the recipient must do.", **TEXT
    )
    withholds_funds = forms.BooleanField(required=False, label="No drawdowns until it is cleared")
    clearer_role = forms.ChoiceField(
        choices=SpecialCondition.ClearerRole.choices, label="Cleared by"
    )
    clear_by = forms.DateField(widget=DATE_WIDGET, required=False, label="Clear by")


class ClearForm(forms.Form):
    note = forms.CharField(required=False, label="How the condition was met", **TEXT)


class ActivityForm(forms.Form):
    kind = forms.ChoiceField(choices=MonitoringActivity.Kind.choices)
    planned_on = forms.DateField(widget=DATE_WIDGET, required=False, label="Planned on")


class ActivityDoneForm(forms.Form):
    done_on = forms.DateField(widget=DATE_WIDGET, required=False, label="Done on")
    summary = forms.CharField(required=False, label="What was reviewed", **TEXT)


class FindingForm(forms.Form):
    text = forms.CharField(required=False, label="Finding", **TEXT)
    questioned_amount = forms.CharField(required=False, initial="0.00", label="Questioned costs")
    cap_due_on = forms.DateField(
        widget=DATE_WIDGET, required=False, label="Corrective action plan due"
    )


class PlanForm(forms.Form):
    corrective_action = forms.CharField(required=False, label="Corrective action plan", **TEXT)


class CloseFindingForm(forms.Form):
    resolution = forms.CharField(required=False, label="How it was resolved", **TEXT)
