import django_filters

from budgets.models import BudgetModification, Category, DrawdownRequest, LedgerEntry
from grants.filters import UswdsFilterSet
from grants.forms import DATE_WIDGET


class LedgerFilter(UswdsFilterSet):
    kind = django_filters.ChoiceFilter(choices=LedgerEntry.Kind.choices)
    category = django_filters.ChoiceFilter(choices=Category.choices)
    share = django_filters.ChoiceFilter(choices=LedgerEntry.Share.choices)
    # The browser's date picker, as on every form of the app.
    date_from = django_filters.DateFilter(
        field_name="effective_date", lookup_expr="gte", label="From", widget=DATE_WIDGET
    )
    date_to = django_filters.DateFilter(
        field_name="effective_date", lookup_expr="lte", label="To", widget=DATE_WIDGET
    )

    class Meta:
        model = LedgerEntry
        fields = ["kind", "category", "share"]


class DrawdownFilter(UswdsFilterSet):
    status = django_filters.ChoiceFilter(choices=DrawdownRequest.Status.choices)

    class Meta:
        model = DrawdownRequest
        fields = ["status"]


class BudgetChangeFilter(UswdsFilterSet):
    award_number = django_filters.CharFilter(
        field_name="award__award_number", lookup_expr="icontains", label="Award number contains"
    )
    status = django_filters.ChoiceFilter(choices=BudgetModification.Status.choices)
    needs_approval = django_filters.BooleanFilter(label="Needs prior approval")
    supplement = django_filters.BooleanFilter(
        field_name="supplement_amount", lookup_expr="isnull", exclude=True, label="Supplement"
    )

    class Meta:
        model = BudgetModification
        fields = ["status", "needs_approval"]
