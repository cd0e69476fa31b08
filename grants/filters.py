import django_filters

from grants.models import Appropriation, Award, TaskForce


class AppropriationFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")

    class Meta:
        model = Appropriation
        fields = ["fiscal_year", "source_status", "name"]


class TaskForceFilter(django_filters.FilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")
    state = django_filters.CharFilter(lookup_expr="iexact", label="State (two letters)")

    class Meta:
        model = TaskForce
        fields = ["state", "name"]


class AwardFilter(django_filters.FilterSet):
    award_number = django_filters.CharFilter(
        lookup_expr="icontains", label="Award number contains"
    )
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
