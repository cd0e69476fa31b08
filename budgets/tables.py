import django_tables2 as tables

from budgets.kinds import KINDS
from budgets.models import DrawdownRequest, LedgerEntry
from grants.money import format_money
from grants.tables import MoneyColumn


class LedgerTable(tables.Table):
    effective_date = tables.DateColumn("m/d/Y", verbose_name="Date")
    kind = tables.Column("Entry")
    category = tables.Column()
    share = tables.Column()
    amount = MoneyColumn("Amount")
    memo = tables.Column()
    actor = tables.Column("Recorded by", order_by=("actor__username",))
    cash_after = MoneyColumn("Cash on hand after", orderable=False)
    federal_spent_after = MoneyColumn("Federal spent after", orderable=False)
    actions = tables.TemplateColumn(
        template_name="budgets/_entry_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = LedgerEntry
        fields = ("effective_date", "kind", "category", "share", "amount", "memo", "actor")
        # The actions next to the entry they act on, where a narrow screen still shows them.
        sequence = (
            "effective_date",
            "kind",
            "actions",
            "category",
            "share",
            "amount",
            "cash_after",
            "federal_spent_after",
            "memo",
            "actor",
        )
        order_by = ("effective_date",)
        row_attrs = {"data-entry": lambda record: record.pk}

    def render_kind(self, record):
        if record.reverses_id:
            return f"Reversal of {record.get_kind_display().lower()} #{record.reverses_id}"
        if record.expenditure_id:
            return f"{record.get_kind_display()} #{record.pk}, paying #{record.expenditure_id}"
        return f"{record.get_kind_display()} #{record.pk}"

    def render_amount(self, record):
        return format_money(-record.amount if record.reverses_id else record.amount)

    def render_category(self, record):
        return record.get_category_display() or "—"

    def render_share(self, record):
        # Spending, and the payment of spending, is of one share; cash movements are not.
        kind = KINDS[record.kind]
        if not (kind.needs_category or record.paying):
            return "—"
        if record.in_kind_basis:
            return (
                f"{record.get_share_display()}, in kind: {record.get_in_kind_basis_display()} "
                f"({record.in_kind_description})"
            )
        return record.get_share_display()

    def order_effective_date(self, queryset, is_descending):
        prefix = "-" if is_descending else ""
        return queryset.order_by(f"{prefix}effective_date", f"{prefix}pk"), True


class DrawdownTable(tables.Table):
    award = tables.Column(
        linkify=lambda record: record.award.get_absolute_url(), order_by=("award__award_number",)
    )
    task_force = tables.Column(accessor="award__task_force__name", verbose_name="Task force")
    amount = MoneyColumn()
    requested_on = tables.DateColumn("m/d/Y")
    requested_by = tables.Column(order_by=("requested_by__username",))
    status = tables.Column()
    decided_by = tables.Column("Decided by")
    actions = tables.TemplateColumn(
        template_name="budgets/_drawdown_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = DrawdownRequest
        fields = (
            "award",
            "task_force",
            "amount",
            "requested_on",
            "requested_by",
            "status",
            "decided_by",
        )
        sequence = (
            "award",
            "task_force",
            "amount",
            "requested_on",
            "requested_by",
            "status",
            "actions",
            "decided_by",
        )
        order_by = ("-requested_on",)

    def render_status(self, record, value):
        returned = record.returned_on
        return f"{value}; cash returned {returned:%m/%d/%Y}" if returned else value
