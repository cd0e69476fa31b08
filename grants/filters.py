import django_filters

from grants.models import Amendment, Appropriation, Award, TaskForce


class UswdsFilterSet(django_filters.FilterSet):
    """Says "Any" for no choice (the widgets get their USWDS classes from the form
    renderer, as every form's do)."""

    @property
    def form(self):
        form = super().form
        for field in form.fields.values():
            if hasattr(field, "empty_label"):
                field.empty_label = "Any"
        return form


class AppropriationFilter(UswdsFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Appropriation
        fields = ["fiscal_year", "source_status", "name"]


class TaskForceFilter(UswdsFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    state = django_filters.CharFilter(lookup_expr="iexact", label="State (two letters)")

    class Meta:
        model = TaskForce
        fields = ["state", "name"]


class AwardFilter(UswdsFilterSet):
    award_number = django_filters.CharFilter(lookup_expr="icontains", label="Award number contains")
    task_force = django_filters.ModelChoiceFilter(queryset=TaskForce.objects.none())

    class Meta:
        model = Award
        fields = ["fiscal_year", "status", "task_force", "award_number"]

    def __init__(self, *args, task_forces=None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only the task forces the person may see are offered as choices.
        self.filters["task_force"].queryset = (
            task_forces if task_forces is not None else TaskForce.objects.none()
        )


class AmendmentFilter(UswdsFilterSet):
    award_number = django_filters.CharFilter(
        field_name="award__award_number", lookup_expr="icontains", label="Award number contains"
    )

    class Meta:
        model = Amendment
        fields = ["kind", "status"]
