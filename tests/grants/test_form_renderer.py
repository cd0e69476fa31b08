"""Every form is styled for USWDS by the one form renderer, whatever form it is."""

import re

from django import forms

from grants.amendment_forms import ExtensionForm
from grants.filters import AwardFilter
from grants.models import Award


class Everything(forms.Form):
    name = forms.CharField()
    day = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(choices=[("a", "A")])
    note = forms.CharField(widget=forms.Textarea)
    agree = forms.BooleanField()
    secret = forms.CharField(widget=forms.HiddenInput)
    small = forms.CharField(widget=forms.TextInput(attrs={"class": "usa-input usa-input--small"}))
    many = forms.MultipleChoiceField(
        choices=[("x", "X"), ("y", "Y")], widget=forms.CheckboxSelectMultiple
    )


def tag(html: str, name: str) -> str:
    return re.search(rf'<(input|select|textarea)[^>]*name="{name}"[^>]*>', html).group(0)


def test_each_kind_of_widget_gets_its_uswds_class():
    form = Everything()
    assert 'class="usa-input"' in str(form["name"])
    assert 'class="usa-input"' in str(form["day"])
    assert 'class="usa-select"' in str(form["kind"])
    assert 'class="usa-textarea"' in str(form["note"])
    assert 'class="usa-checkbox__input"' in str(form["agree"])
    assert "class=" not in tag(str(form["secret"]), "secret")
    # A widget's own class is kept, not doubled or replaced.
    assert 'class="usa-input usa-input--small"' in str(form["small"])
    # The parts of a composite widget are left to the template that lays them out.
    assert "usa-input" not in str(form["many"])


def test_product_forms_and_filter_forms_are_styled_without_code_of_their_own():
    extension = ExtensionForm()
    assert 'class="usa-input"' in tag(str(extension["new_end"]), "new_end")
    assert 'class="usa-textarea"' in tag(str(extension["reason"]), "reason")
    status = AwardFilter(queryset=Award.objects.none()).form["status"]
    assert 'class="usa-select"' in str(status)
