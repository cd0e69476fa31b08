from django import forms
from django.forms.models import fields_for_model

from reports.models import MEASURES


class SF425Form(forms.Form):
    remarks = forms.CharField(
        label="Remarks (line 12)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="Required when cash is on hand (line 10c): say why it was not disbursed.",
    )
    certifier_name = forms.CharField(label="Name of certifying official (line 13)", max_length=200)
    certifier_title = forms.CharField(label="Title", max_length=200)
    certifier_phone = forms.CharField(label="Telephone", max_length=40)
    certifier_email = forms.EmailField(label="Email")
    certify = forms.BooleanField(
        label="I certify that this report is true, complete and accurate to the best of my knowledge.",
    )


class ProgressForm(forms.Form):
    accomplishments = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=10000)
    challenges = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000
    )
    next_steps = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=10000
    )

    def __init__(self, *args, draft: bool = False, **kwargs):
        """`draft`: read as a draft to keep, where every field may still be blank but a
        measure given must be a whole number, 0 or more."""
        super().__init__(*args, **kwargs)
        for name, label in MEASURES:
            self.fields[name] = forms.IntegerField(
                label=label,
                required=not draft,
                min_value=0,
                max_value=10_000_000,
                error_messages={
                    "invalid": "Enter a whole number.",
                    "min_value": "Enter 0 or more.",
                },
                widget=forms.TextInput(
                    attrs={"class": "usa-input usa-input--small", "inputmode": "numeric"}
                ),
            )
        if draft:
            self.fields["accomplishments"].required = False

    def measure_fields(self):
        return [self[name] for name, _ in MEASURES]

    def narrative(self) -> dict:
        return {k: self.cleaned_data[k] for k in ("accomplishments", "challenges", "next_steps")}

    def measures(self) -> dict:
        return {name: self.cleaned_data[name] for name, _ in MEASURES}

    def draft(self) -> dict:
        """The fields as a draft keeps them (reports.models.DRAFT_FIELDS)."""
        return {**self.narrative(), **self.measures()}


def report_form(report_type) -> type[forms.Form]:
    """The filing form of a report type without one of its own: its `fields`, as its
    model declares them."""
    fields = fields_for_model(report_type.model, fields=report_type.fields)
    return type(f"{report_type.model.__name__}Form", (forms.Form,), dict(fields))


class ReviewForm(forms.Form):
    comment = forms.CharField(
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label="Your comment",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4, "class": "usa-textarea"}),
    )
