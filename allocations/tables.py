"""HTML tables of scenarios, their lines and factor data. Display only."""

import django_tables2 as tables
from django.urls import reverse
from django.utils.html import format_html, format_html_join

from allocations.models import AllocationLine, AllocationRun, FactorData
from grants.money import format_money
from grants.tables import DateColumn, MoneyColumn, priority

MONEY_TD = "text-right text-tabular"


class NumberColumn(tables.Column):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "attrs", {"td": {"class": "text-right text-tabular"}, "th": {"class": "text-right"}}
        )
        super().__init__(*args, **kwargs)

    def render(self, value):
        return f"{value:,}"


class RunTable(tables.Table):
    fiscal_year = tables.Column("FY")
    name = tables.Column("Scenario", linkify=True)
    status = tables.Column()
    appropriation = tables.Column(order_by=("appropriation__name",), attrs=priority(2))
    pool = MoneyColumn("Pool")
    formula_pct = tables.Column("Formula %", attrs=priority(2))
    floor_mode = tables.Column("Floor", attrs=priority(2))
    match_total = MoneyColumn("Match required")
    created_by = tables.Column("Created by", order_by=("created_by__username",), attrs=priority(3))
    published_at = DateColumn(verbose_name="Published", attrs=priority(3))

    class Meta:
        model = AllocationRun
        fields = ("fiscal_year", "name", "status", "appropriation", "pool", "formula_pct")
        sequence = (
            "fiscal_year",
            "name",
            "status",
            "appropriation",
            "pool",
            "formula_pct",
            "floor_mode",
            "match_total",
            "created_by",
            "published_at",
        )
        order_by = ("-fiscal_year", "name")

    def render_appropriation(self, record):
        return f"FY{record.appropriation.fiscal_year} {record.appropriation.name}"

    def render_formula_pct(self, value):
        return f"{value.normalize():f}%"


class LineTable(tables.Table):
    state = tables.Column(accessor="task_force__state", verbose_name="State", attrs=priority(2))
    task_force = tables.Column(order_by=("task_force__name",))
    # The parts of the total give way on narrower screens; the total, the match, last
    # year's award and the change stay.
    weighted_share = tables.Column("Weighted share", attrs=priority(3, td="text-right"))
    floor_amount = MoneyColumn("Floor", attrs=priority(2, td=MONEY_TD, th="text-right"))
    formula_amount = MoneyColumn("Formula share", attrs=priority(2, td=MONEY_TD, th="text-right"))
    need_amount = MoneyColumn("Need-based", attrs=priority(2, td=MONEY_TD, th="text-right"))
    total = MoneyColumn("Total")
    match_required = MoneyColumn("Match required")
    prior_year = MoneyColumn("Last year's award")
    change = MoneyColumn("Change")
    award = tables.Column(
        "Award", empty_values=(None,), order_by=("award__award_number",), attrs=priority(2)
    )

    class Meta:
        model = AllocationLine
        fields = ("task_force", "weighted_share")
        sequence = (
            "state",
            "task_force",
            "weighted_share",
            "floor_amount",
            "formula_amount",
            "need_amount",
            "total",
            "match_required",
            "prior_year",
            "change",
            "award",
        )
        order_by = ("state", "task_force")

    def render_weighted_share(self, value):
        return f"{value:.3f}%"

    def render_match_required(self, record, value):
        if record.match_waived:
            return format_html("{} <span class='usa-tag'>waived</span>", format_money(value))
        return format_money(value)

    def render_award(self, value):
        return format_html("<a href='{}'>{}</a>", value.get_absolute_url(), value.award_number)


class FactorTable(tables.Table):
    fiscal_year = tables.Column("FY")
    state = tables.Column(accessor="task_force__state", verbose_name="State", attrs=priority(2))
    task_force = tables.Column(order_by=("task_force__name",))
    source = tables.Column(attrs=priority(3))
    population = NumberColumn()
    leads = NumberColumn("Leads")
    cases_referred = NumberColumn("Referred")
    prosecutions = NumberColumn("Prosecutions")
    training = NumberColumn("Training")
    need_score = NumberColumn("Need score")
    updated_at = DateColumn(verbose_name="Updated", attrs=priority(3))

    class Meta:
        model = FactorData
        fields = (
            "fiscal_year",
            "task_force",
            "population",
            "leads",
            "cases_referred",
            "prosecutions",
            "training",
            "need_score",
            "source",
            "updated_at",
        )
        sequence = ("fiscal_year", "state", "task_force", "...")
        order_by = ("-fiscal_year", "state", "task_force")

    def __init__(self, *args, can_edit: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.can_edit = can_edit

    def render_task_force(self, record, value):
        if not self.can_edit:
            return value.name
        url = reverse("allocations:factor_edit", args=[record.fiscal_year, value.code])
        return format_html("<a href='{}'>{}</a>", url, value.name)


COMPARE_PARTS = [
    ("floor_amount", "floor"),
    ("formula_amount", "formula share"),
    ("need_amount", "need-based"),
    ("match_required", "match"),
    ("total", "total"),
    ("change", "change"),
]


class ScenarioTotalColumn(MoneyColumn):
    """A scenario's total for the task force, with its parts (floor, formula share,
    need-based, match) beneath it: one cell per scenario instead of four columns, so the
    scenarios sit side by side on the screen. The workbook keeps a column per part."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault(
            "attrs",
            {"td": {"class": "text-right text-tabular-wrap"}, "th": {"class": "text-right"}},
        )
        super().__init__(*args, **kwargs)

    def render(self, value):
        if value is None:
            return "—"
        parts = format_html_join(
            "",
            '<br><span class="usa-hint font-body-3xs">{} {}</span>',
            (
                (label, format_money(value[field]))
                for field, label in COMPARE_PARTS
                if field not in ("total", "change")
            ),
        )
        return format_html("<strong>{}</strong>{}", format_money(value["total"]), parts)


class CompareTable(tables.Table):
    """One row per task force; for each compared scenario its total (with its floor,
    formula share, need-based amount and match beneath) and its change from last year's
    award."""

    state = tables.Column(attrs=priority(2))
    task_force = tables.Column()
    prior_year = MoneyColumn("Last year's award")

    class Meta:
        orderable = False

    @classmethod
    def build(cls, rows, runs):
        data = []
        for row in rows:
            item = {
                "state": row.task_force.state,
                "task_force": row.task_force.name,
                "prior_year": row.prior_year,
            }
            for index, line in enumerate(row.cells):
                if line is None:
                    item[f"r{index}_total"] = item[f"r{index}_change"] = None
                    continue
                item[f"r{index}_total"] = {
                    field: getattr(line, field) for field, _ in COMPARE_PARTS if field != "change"
                }
                item[f"r{index}_change"] = line.total - row.prior_year
            data.append(item)
        extra = []
        for index, run in enumerate(runs):
            extra += [
                (f"r{index}_total", ScenarioTotalColumn(f"{run.name}: total")),
                (f"r{index}_change", MoneyColumn(f"{run.name}: change")),
            ]
        return cls(data, extra_columns=extra)
