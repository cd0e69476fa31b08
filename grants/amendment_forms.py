"""Forms for no-cost extensions and administrative changes."""

from django import forms

from grants.amendments import RECIPIENT_FIELDS
from grants.models import Recipient
from grants.money import MoneyFormField


class ExtensionForm(forms.Form):
    new_end = forms.DateField(label="New end date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why more time is needed"
    )
    justification = forms.CharField(
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="Justification for a further extension",
        help_text="The award was already extended: say why the work could not be finished "
        "in the time already added. The program manager who decides reads it.",
    )

    def __init__(self, *args, already_extended: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not already_extended:
            del self.fields["justification"]


class MatchChangeForm(forms.Form):
    match_required = MoneyFormField(allow_zero=True, label="Match required from that day")
    effective_on = forms.DateField(
        label="Takes effect on", widget=forms.DateInput(attrs={"type": "date"})
    )
    description = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="Why the match changes, and the agency's approval (GAM number)",
    )


class AdministrativeForm(forms.Form):
    description = forms.CharField(
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
        label="What changes (contacts, authorized representative, name or address)",
    )

    def __init__(self, *args, recipient: Recipient, **kwargs):
        super().__init__(*args, **kwargs)
        for name in RECIPIENT_FIELDS:
            model_field = Recipient._meta.get_field(name)
            self.fields[name] = forms.CharField(
                label=f"Recipient {model_field.verbose_name}",
                max_length=model_field.max_length,
                required=False,
                help_text=f"Now: {getattr(recipient, name) or '—'}. Leave blank to keep.",
                widget=forms.TextInput(),
            )

    def recipient_changes(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in RECIPIENT_FIELDS}


class DecisionForm(forms.Form):
    note = forms.CharField(max_length=500, required=False, label="Note (required to reject)")
