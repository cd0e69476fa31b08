"""The rows every table writes (grants/templatetags/table_rows.py): the same HTML the
template wrote, cell by cell."""

from datetime import UTC, date, datetime

import django_tables2 as tables
from django.template import Context, Template
from django.test import RequestFactory

from grants.tables import MONEY_TD, DateColumn

ROWS = Template("{% load table_rows %}{% table_rows table %}")


class Things(tables.Table):
    name = tables.Column("Name <em>here</em>")
    amount = tables.Column("Amount", attrs={"td": {"class": MONEY_TD}})
    note = tables.Column("", attrs={"td": {"data-kind": lambda record: record["kind"]}})

    class Meta:
        row_attrs = {"data-thing": lambda record: record["id"]}
        empty_text = "Nothing <here> yet."


def rows_of(data):
    table = Things(data)
    table.paginate(page=1, per_page=25)
    request = RequestFactory().get("/")
    return ROWS.render(Context({"table": table, "request": request}))


def test_each_cell_has_its_attributes_heading_and_escaped_value():
    html = rows_of(
        [
            {"id": 7, "name": "<script>x</script>", "amount": "1,000.00", "note": "n", "kind": "k"},
            {"id": 8, "name": "b", "amount": "2.00", "note": "m", "kind": "j"},
        ]
    )

    first, second = html.split("\n")
    assert first.startswith('<tr data-thing="7" class="even">')
    assert '<td data-label="Name here">&lt;script&gt;x&lt;/script&gt;</td>' in first
    assert '<td class="text-right text-tabular" data-label="Amount">1,000.00</td>' in first
    assert '<td class="text-right text-tabular" data-label="Amount">2.00</td>' in second
    # A column without a heading has no data-label; attributes computed from each record.
    assert '<td data-kind="k">n</td>' in first and '<td data-kind="j">m</td>' in second
    assert first.endswith("</tr>") and second.endswith("</tr>")


def test_an_empty_table_says_so_across_its_columns():
    assert rows_of([]) == '<tr><td colspan="3">Nothing &lt;here&gt; yet.</td></tr>'


def test_dates_show_as_month_day_year_and_moments_in_local_time(settings):
    settings.TIME_ZONE = "America/New_York"

    class Dated(tables.Table):
        on = DateColumn("On")
        at = DateColumn("At")

    table = Dated([{"on": date(2024, 10, 1), "at": datetime(2026, 12, 1, 3, 0, tzinfo=UTC)}])
    table.paginate(page=1, per_page=25)
    html = ROWS.render(Context({"table": table, "request": RequestFactory().get("/")}))

    assert '<td data-label="On">10/01/2024</td>' in html
    # 3 a.m. UTC on December 1 is still November 30 in Washington.
    assert '<td data-label="At">11/30/2026</td>' in html
    # What an export of the table writes is the same text.
    assert [list(row) for row in table.as_values()] == [["On", "At"], ["10/01/2024", "11/30/2026"]]


def test_each_render_method_gets_the_arguments_it_names():
    """As django-tables2 calls them: by name, any of value, record, column, bound_column,
    bound_row and table; all of them to a catch-all; None for one that asks what no cell
    offers; an empty value shows the column's default without a call."""

    class Rendered(tables.Table):
        by_value = tables.Column("V")
        by_record = tables.Column("R")
        by_all = tables.Column("A")
        asks_too_much = tables.Column("X", default="none")
        empty = tables.Column("E", default="—")

        def render_by_value(self, value):
            return f"value {value}"

        def render_by_record(self, record, table):
            return f"record {record['id']} of {type(table).__name__}"

        def render_by_all(self, **offered):
            return ",".join(sorted(offered))

        def render_asks_too_much(self, value, something_else):
            return "called"

        def render_empty(self, value):
            return "called"

    table = Rendered(
        [{"id": 3, "by_value": 1, "by_record": 2, "by_all": 3, "asks_too_much": 4, "empty": ""}]
    )
    table.paginate(page=1, per_page=25)
    html = ROWS.render(Context({"table": table, "request": RequestFactory().get("/")}))

    assert '<td data-label="V">value 1</td>' in html
    assert '<td data-label="R">record 3 of Rendered</td>' in html
    assert '<td data-label="A">bound_column,bound_row,column,record,table,value</td>' in html
    assert '<td data-label="X">None</td>' in html
    assert '<td data-label="E">—</td>' in html
