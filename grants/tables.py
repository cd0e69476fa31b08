"""HTML tables of the program's records. Display only: rows come from selectors."""

from datetime import datetime

import django_tables2 as tables
from django.utils import timezone

from grants.models import Appropriation, Award, TaskForce
from grants.money import format_money


def priority(level: int, *, td: str = "", th: str = "") -> dict:
    """Column attrs that hide the column where the table would not fit (static/app.css,
    "Tables that fit"): level 3 below 1440 px wide, so on a 1280 px screen too; level 2
    below 1200 px. Below 480 px the table stacks and every column shows again. Leave the
    identifying column, the amounts and the actions without one."""
    name = f"priority-{level}"
    return {"th": {"class": f"{name} {th}".strip()}, "td": {"class": f"{name} {td}".strip()}}


MONEY_TD = "text-right text-tabular"


class MoneyColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "attrs",
            {"td": {"class": "text-right text-tabular"}, "th": {"class": "text-right"}},
        )
        super().__init__(*args, **kwargs)

    def render(self, value):
        return format_money(value)


class DateColumn(tables.Column):
    """A date, or a moment in local time, as MM/DD/YYYY: formatted here because
    django-tables2's DateColumn and DateTimeColumn compile a template for every cell,
    a third of a 25-row award list's time."""

    def render(self, value):
        if isinstance(value, datetime):
            value = timezone.localtime(value)
        return f"{value:%m/%d/%Y}"


class AppropriationTable(tables.Table):
    fiscal_year = tables.Column("FY", linkify=True)
    name = tables.Column(linkify=True)
    public_law = tables.Column(attrs=priority(2))
    source_status = tables.Column("Source", attrs=priority(2))
    amount = MoneyColumn("Appropriated")
    set_aside_total = MoneyColumn("Set aside", attrs=priority(2, td=MONEY_TD, th="text-right"))
    awarded_total = MoneyColumn("Awarded")
    available = MoneyColumn("Not yet awarded", orderable=False, empty_values=())

    class Meta:
        model = Appropriation
        fields = ("fiscal_year", "name", "public_law", "source_status", "amount")
        sequence = (
            "fiscal_year",
            "name",
            "public_law",
            "source_status",
            "amount",
            "set_aside_total",
            "awarded_total",
            "available",
        )
        order_by = ("-fiscal_year",)

    def render_available(self, record):
        return format_money(record.amount - record.set_aside_total - record.awarded_total)


class TaskForceTable(tables.Table):
    state = tables.Column()
    name = tables.Column(linkify=True)
    lead_organization = tables.Column(
        "Lead organization", order_by=("lead_organization__legal_name",)
    )
    awarded_total = MoneyColumn("Awarded, all years")

    class Meta:
        model = TaskForce
        fields = ("state", "name", "lead_organization")
        order_by = ("state", "name")


class AwardTable(tables.Table):
    award_number = tables.Column("Award number", linkify=True, attrs={"td": {"class": "nowrap"}})
    fiscal_year = tables.Column("FY")
    task_force = tables.Column(order_by=("task_force__name",))
    title = tables.Column(attrs=priority(2))
    period_start = DateColumn(attrs=priority(2, td="nowrap"))
    period_end = DateColumn(attrs=priority(2, td="nowrap"))
    federal_amount = MoneyColumn("Federal amount")
    status = tables.Column()

    class Meta:
        model = Award
        fields = (
            "award_number",
            "fiscal_year",
            "task_force",
            "title",
            "period_start",
            "period_end",
            "federal_amount",
            "status",
        )
        order_by = ("-fiscal_year", "award_number")
