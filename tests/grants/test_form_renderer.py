"""Every form is styled for USWDS by the one form renderer, whatever form it is."""

import re
from pathlib import Path

from django import forms
from django.conf import settings
from django.forms.renderers import DjangoTemplates

from grants.amendment_forms import ExtensionForm
from grants.filters import AwardFilter
from grants.form_renderer import UswdsClasses, UswdsFormRenderer
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


class _DjangoOwn(UswdsClasses, DjangoTemplates):
    """Django's own widget templates, with the same USWDS class added."""


class Choices(forms.Form):
    plain = forms.ChoiceField(
        choices=[("", "Choose"), ("a", "A & <b>"), ("b", 'Quote "x"')], initial="a"
    )
    grouped = forms.ChoiceField(choices=[("A group", [("x", "X"), ("y", "Y")]), ("z", "Z")])
    many = forms.MultipleChoiceField(choices=[("1", "One"), ("2", "Two")], initial=["1", "2"])
    off = forms.ChoiceField(choices=[("q", "Q")], disabled=True, required=False)


def test_a_select_writes_its_options_in_place_as_the_html_django_writes():
    renderer = UswdsFormRenderer()
    template = renderer.get_template("django/forms/widgets/select.html")
    assert (
        Path(template.origin.name)
        == settings.BASE_DIR / "templates/django/forms/widgets/select.html"
    )
    for data in (None, {"plain": "b", "grouped": "y", "many": ["2"]}):
        ours, django_own = Choices(data, renderer=renderer), Choices(data, renderer=_DjangoOwn())
        for name in ("plain", "grouped", "many", "off"):
            assert str(ours[name]) == str(django_own[name])
    html = str(Choices()["plain"])
    assert '<option value="a" selected>A &amp; &lt;b&gt;</option>' in html
    assert '<option value="b">Quote &quot;x&quot;</option>' in html
