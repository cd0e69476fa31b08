from decimal import Decimal

import django_tables2 as tables

from grants.models import Amendment
from grants.money import format_money


class AmendmentTable(tables.Table):
    award = tables.Column(
        linkify=lambda record: record.award.get_absolute_url(), order_by=("award__award_number",)
    )
    task_force = tables.Column(accessor="award__task_force__name", verbose_name="Task force")
    number = tables.Column("No.")
    kind = tables.Column("Type")
    requested_on = tables.DateColumn("m/d/Y")
    decided_on = tables.DateColumn("m/d/Y")
    effective_on = tables.DateColumn("m/d/Y")
    requested_by = tables.Column(order_by=("requested_by__username",))
    decided_by = tables.Column()
    change = tables.Column("Change", empty_values=(), orderable=False)
    actions = tables.TemplateColumn(
        template_name="grants/_amendment_actions.html", verbose_name="", orderable=False
    )

    class Meta:
        model = Amendment
        fields = ("number", "kind", "status", "requested_on", "decided_on", "effective_on")
        sequence = (
            "award",
            "task_force",
            "number",
            "kind",
            "status",
            "change",
            "requested_on",
            "requested_by",
            "decided_on",
            "decided_by",
            "effective_on",
            "actions",
        )
        order_by = ("-requested_on",)

    def render_change(self, record):
        return amendment_change(record)


def amendment_change(amendment: Amendment) -> str:
    """One line saying what the amendment changes."""
    if amendment.period_end_after:
        return f"End {amendment.period_end_before:%m/%d/%Y} → {amendment.period_end_after:%m/%d/%Y}"
    if amendment.amount:
        return f"+{format_money(amendment.amount)} from FY{amendment.appropriation.fiscal_year}"
    if "match_required" in amendment.changes:
        before, after = (Decimal(v) for v in amendment.changes["match_required"])
        return f"Match {format_money(before)} → {format_money(after)}"
    if amendment.changes.get("recipient"):
        return "Recipient: " + ", ".join(
            f"{k} → {v[1]}" for k, v in amendment.changes["recipient"].items()
        )
    return amendment.description[:120]
