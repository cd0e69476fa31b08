from decimal import Decimal

import django_tables2 as tables

from grants.models import Amendment
from grants.money import format_money
from grants.tables import DateColumn, priority


class AmendmentTable(tables.Table):
    """Column priorities: who asked, who decided, when, and when it took effect give way
    first (a 1280 px screen), then the number and the task force (a tablet), so the
    award, the change and the decision stay in view."""

    award = tables.Column(
        linkify=lambda record: record.award.get_absolute_url(),
        order_by=("award__award_number",),
        attrs={"td": {"class": "nowrap"}},
    )
    task_force = tables.Column(
        accessor="award__task_force__name", verbose_name="Task force", attrs=priority(2)
    )
    number = tables.Column("No.", attrs=priority(2))
    kind = tables.Column("Type")
    requested_on = DateColumn(attrs={"td": {"class": "nowrap"}})
    decided_on = DateColumn(attrs=priority(3, td="nowrap"))
    effective_on = DateColumn(attrs=priority(3, td="nowrap"))
    requested_by = tables.Column(order_by=("requested_by__username",), attrs=priority(3))
    decided_by = tables.Column(attrs=priority(3))
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
    if amendment.amount and amendment.appropriation_id is None:
        # A decrease, termination or deobligation: the money goes back.
        return f"−{format_money(amendment.amount)} back to its appropriations"
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
