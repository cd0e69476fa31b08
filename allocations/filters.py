import django_filters

from allocations.models import AllocationLine, AllocationRun, FactorData
from grants.filters import UswdsFilterSet


class RunFilter(UswdsFilterSet):
    name = django_filters.CharFilter(lookup_expr="icontains", label="Name contains")

    class Meta:
        model = AllocationRun
        fields = ["fiscal_year", "status", "name"]


class _ByTaskForce(UswdsFilterSet):
    """Filters for rows that belong to a task force: its state and its name."""

    state = django_filters.CharFilter(
        field_name="task_force__state", lookup_expr="iexact", label="State (two letters)"
    )
    task_force = django_filters.CharFilter(
        field_name="task_force__name", lookup_expr="icontains", label="Task force contains"
    )


class LineFilter(_ByTaskForce):
    match_waived = django_filters.BooleanFilter(label="Match waived")

    class Meta:
        model = AllocationLine
        fields = ["state", "task_force", "match_waived"]


class FactorFilter(_ByTaskForce):
    class Meta:
        model = FactorData
        fields = ["fiscal_year", "state", "task_force"]
