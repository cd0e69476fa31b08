import django_tables2 as tables

from budgets.models import BudgetModification
from grants.tables import DateColumn, MoneyColumn, priority


class BudgetChangeTable(tables.Table):
    pk = tables.Column(
        "Request", linkify=("modifications:detail", [tables.A("pk")]), order_by=("pk",)
    )
    award = tables.Column(
        linkify=lambda record: record.award.get_absolute_url(), order_by=("award__award_number",)
    )
    task_force = tables.Column(
        accessor="award__task_force__name", verbose_name="Task force", attrs=priority(2)
    )
    kind = tables.Column("Kind", accessor="supplement_amount", order_by=("supplement_amount",))
    requested_on = DateColumn()
    requested_by = tables.Column(order_by=("requested_by__username",), attrs=priority(3))
    cumulative_transfer = MoneyColumn("Cumulative transfer")
    share = tables.Column(
        "Share of award", accessor="cumulative_transfer", orderable=False, attrs=priority(2)
    )
    needs_approval = tables.BooleanColumn("Needs approval", yesno="Yes,No", attrs=priority(2))
    status = tables.Column()
    decided_by = tables.Column("Decided by", attrs=priority(3))

    class Meta:
        model = BudgetModification
        fields = ("requested_on", "requested_by", "cumulative_transfer", "needs_approval", "status")
        sequence = (
            "pk",
            "award",
            "task_force",
            "kind",
            "requested_on",
            "requested_by",
            "cumulative_transfer",
            "share",
            "needs_approval",
            "status",
            "decided_by",
        )
        order_by = ("-requested_on",)

    def render_kind(self, record):
        return record.kind_label

    def render_share(self, record):
        return f"{record.transfer_share * 100:.2f}%"
