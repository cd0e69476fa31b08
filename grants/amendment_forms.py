"""Forms for no-cost extensions and administrative changes."""

from django import forms

from grants.amendments import RECIPIENT_FIELDS
from grants.models import Recipient


class _Styled(forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "usa-textarea" if isinstance(field.widget, forms.Textarea) else "usa-input"
            field.widget.attrs.setdefault("class", css)


class ExtensionForm(_Styled):
    new_end = forms.DateField(label="New end date", widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(
        max_length=2000, widget=forms.Textarea(attrs={"rows": 3}), label="Why more time is needed"
    )


class AdministrativeForm(_Styled):
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
                widget=forms.TextInput(attrs={"class": "usa-input"}),
            )

    def recipient_changes(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in RECIPIENT_FIELDS}


class DecisionForm(_Styled):
    note = forms.CharField(max_length=500, required=False, label="Note (required to reject)")
