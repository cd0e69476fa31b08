"""Bad input on the program office's forms: a message on the field that is wrong,
and nothing saved."""

import importlib
import pkgutil

import django_filters
import pytest
from django import forms
from django.core.exceptions import ValidationError
from django.urls import reverse

from budgets.models import BudgetVersion
from grants.audit import AuditEvent
from grants.models import Appropriation, Award

GOOD_APPROPRIATION = {
    "fiscal_year": "2026",
    "name": "ICAC Task Force Program",
    "public_law": "P.L. 119-4",
    "source": "Full-Year Continuing Appropriations Act",
    "source_status": "official",
    "amount": "36,000,000.00",
    "available_from": "2025-10-01",
    "available_until": "2026-09-30",
    "set_aside_training": "3600000",
}


def _counts():
    return (
        Appropriation.objects.count(),
        Award.objects.count(),
        BudgetVersion.objects.count(),
        # A refused attempt is on record by design (grants.refusals); nothing else is.
        AuditEvent.objects.exclude(action__endswith=".refused").count(),
    )


def test_appropriation_form_records_a_good_appropriation(client, program):
    client.force_login(program.pm)
    response = client.post(reverse("grants:appropriation_create"), GOOD_APPROPRIATION)
    assert response.status_code == 302
    created = Appropriation.objects.get(fiscal_year=2026)
    assert str(created.amount) == "36000000.00"
    page = client.get(response["Location"]).content.decode()
    assert "$32,400,000.00" in page  # not yet awarded: $36M less $3.6M training


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("amount", "-5", "Enter an amount greater than zero."),
        ("amount", "0", "Enter an amount greater than zero."),
        ("amount", "10.001", "Ensure that there are no more than 2 decimal places."),
        (
            "amount",
            "lots",
            "'lots' is not a number: write digits with an optional $ and thousands commas, such as $1,234.56.",
        ),
        ("amount", "99999999999999999", "Enter an amount no larger than $999,999,999,999.99."),
        ("available_until", "2025-09-30", "Availability must end after it starts."),
        ("set_aside_training", "-1", "Enter an amount of zero or more."),
        (
            "set_aside_training",
            "36000000.01",
            "Set-asides total $36,000,000.01, $0.01 more than the appropriation.",
        ),
    ],
)
def test_appropriation_form_rejects_bad_input(client, program, field, value, message):
    client.force_login(program.pm)
    before = _counts()
    data = {**GOOD_APPROPRIATION, field: value}
    response = client.post(reverse("grants:appropriation_create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    target = "amount" if message.startswith("Set-asides") else field
    assert message in form.errors[target]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert _counts() == before


def _award_post(program, **changes):
    data = {
        "award_number": "15PJDP-25-GK-00777-MECP",
        "title": "FY2025 ICAC",
        "task_force": str(program.task_force_a.pk),
        "period_start": "2024-10-01",
        "period_end": "2026-09-30",
        "match_required": "0.00",
        "program_income_alternative": "addition",
        "ug_version": "2024",
        "special_conditions": "",
        "funding-TOTAL_FORMS": "3",
        "funding-INITIAL_FORMS": "0",
        "funding-MIN_NUM_FORMS": "0",
        "funding-MAX_NUM_FORMS": "10",
        "funding-0-appropriation": str(program.appropriation.pk),
        "funding-0-amount": "100000.00",
        "budget-federal_A": "60000.00",
        "budget-federal_C": "40000.00",
    }
    data.update(changes)
    return {k: v for k, v in data.items() if v is not None}


def test_award_form_creates_award_with_budget(client, program):
    client.force_login(program.pm)
    response = client.post(reverse("budgets:award_create"), _award_post(program))
    assert response.status_code == 302
    award = Award.objects.get(award_number="15PJDP-25-GK-00777-MECP")
    assert str(award.federal_amount) == "100000.00"
    budget = award.budget_versions.get(status="approved")
    assert sorted(budget.lines.values_list("category", "federal_amount")) == [
        ("A", award.federal_amount * 6 / 10),
        ("C", award.federal_amount * 4 / 10),
    ]


@pytest.mark.parametrize(
    "changes, where, message",
    [
        (
            {"funding-0-amount": "500000.01", "budget-federal_A": "460000.01"},
            "funding_errors",
            "FY2025 ICAC Task Force Program has $500,000.00 left after set-asides and earlier awards; "
            "this award asks for $500,000.01, $0.01 too much.",
        ),
        (
            {"budget-federal_C": "39999.99"},
            "budget_errors",
            "The federal lines add up to $99,999.99, but the award is $100,000.00: $0.01 short.",
        ),
        (
            {"period_end": "2024-09-30"},
            "period_end",
            "The period of performance must end after it starts.",
        ),
        (
            {"award_number": "2025-XYZ"},
            "award_number",
            "Use a DOJ award number such as 15PJDP-24-GK-01234-MECP, 2018-MC-FX-K060 or 98-MC-CX-K003.",
        ),
        (
            {"award_number": "15PJDP-25-GK-00001-MECP"},
            "award_number",
            "An award with this number already exists.",
        ),
        ({"match_required": "-1"}, "match_required", "Enter an amount of zero or more."),
        (
            {"budget-federal_D": "1.005"},
            "budget",
            "Ensure that there are no more than 2 decimal places.",
        ),
        ({"funding-0-amount": "0"}, "funding", "Enter an amount greater than zero."),
    ],
)
def test_award_form_rejects_bad_input(client, program, changes, where, message):
    client.force_login(program.pm)
    before = _counts()
    response = client.post(reverse("budgets:award_create"), _award_post(program, **changes))
    assert response.status_code == 200
    context = response.context
    if where in ("funding_errors", "budget_errors"):
        assert context[where] == [message]
    elif where == "budget":
        assert message in context["budget"].errors["federal_D"]
    elif where == "funding":
        assert message in context["funding"].forms[0].errors["amount"]
    else:
        assert message in context["form"].errors[where]
    assert message in response.content.decode().replace("&#x27;", "'")
    assert _counts() == before


def test_form_cannot_pick_a_task_force_outside_the_choices(client, program):
    """Posted ids are checked against the choices offered, never trusted."""
    client.force_login(program.pm)
    response = client.post(
        reverse("budgets:award_create"), _award_post(program, task_force="999999")
    )
    assert "Select a valid choice." in response.context["form"].errors["task_force"][0]


def test_award_form_names_what_is_left_of_each_appropriation(client, program):
    client.force_login(program.pm)
    page = client.get(reverse("budgets:award_create")).content.decode()
    assert "FY2025 ICAC Task Force Program ($500,000.00 left)" in page


def test_the_award_form_normalises_the_number_before_checking_it():
    from grants.forms import AwardForm

    field = AwardForm.base_fields["award_number"]
    assert field.clean(" 2018-mc-fx-k060 ") == "2018-MC-FX-K060"
    with pytest.raises(ValidationError, match="DOJ award number"):
        field.clean("2018-mc-fx")


# The apps whose pages hold forms; the JSON API's filters (api.report_views) are query
# parameters, written YYYY-MM-DD as its schema says, not a form anyone fills in.
PAGE_APPS = (
    "accounts",
    "allocations",
    "api",
    "budgets",
    "compliance",
    "documents",
    "grants",
    "oversight",
    "reports",
)
API_FILTER_MODULES = {"api.report_views"}


def _ours(cls) -> bool:
    return cls.__module__.split(".")[0] in PAGE_APPS


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def test_every_date_typed_into_a_page_is_offered_as_the_date_picker():
    """Dates are shown MM/DD/YYYY everywhere; a form or filter that took typed text
    would ask for another format. The browser's date picker shows the person's own."""
    for app in PAGE_APPS:
        package = importlib.import_module(app)
        for module in pkgutil.walk_packages(package.__path__, f"{app}."):
            if ".migrations" not in module.name and ".management" not in module.name:
                importlib.import_module(module.name)
    typed = [
        (f"{form.__module__}.{form.__name__}.{name}", field.widget)
        for form in _subclasses(forms.BaseForm)
        if _ours(form)
        for name, field in getattr(form, "base_fields", {}).items()
        if isinstance(field, forms.DateField)
    ] + [
        (f"{filters.__module__}.{filters.__name__}.{name}", date_filter.extra.get("widget"))
        for filters in _subclasses(django_filters.FilterSet)
        if _ours(filters) and filters.__module__ not in API_FILTER_MODULES
        for name, date_filter in filters.base_filters.items()
        if issubclass(date_filter.field_class, forms.DateField)
    ]
    assert len(typed) > 25  # the walk found the forms
    assert [name for name, widget in typed if getattr(widget, "input_type", None) != "date"] == []
