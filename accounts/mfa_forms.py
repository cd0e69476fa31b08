from django import forms


class CodeForm(forms.Form):
    code = forms.CharField(
        label="One-time code",
        max_length=20,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "text", "autofocus": True}
        ),
    )


class EnrolAppForm(forms.Form):
    code = forms.CharField(
        label="The 6-digit code your app shows",
        max_length=6,
        min_length=6,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )
    name = forms.CharField(label="A name for this app (optional)", max_length=64, required=False)
