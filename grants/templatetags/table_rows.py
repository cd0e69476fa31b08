"""The body rows of every django-tables2 table (templates/django_tables2/uswds.html).

The rows are written here rather than by the template's nested loops: the template
engine resolved half a dozen variables and filters per cell, and on a ledger page of 25
rows by 11 columns that was most of the request's CPU time. The HTML is the same as
the template wrote: `<tr>` with the row's attributes, one `<td>` per column with its
attributes and its heading as `data-label` (the stacked layout below 480 px shows it),
the cell's value localized and escaped as `{{ cell }}` would be.

Each cell is found as django-tables2 finds it (`BoundRow._get_and_render_with`: the
accessor, `get_FOO_display`, the empty values and the default), but its `render` is
called through `_Renderer`, which reads the arguments that function takes once per
column: django-tables2 reads them with `inspect.signature` for every cell, a fifth of the
time a ledger page's rows took.
"""

from django import template
from django.template.base import render_value_in_context
from django.utils.formats import localize
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe
from django_tables2.utils import signature

register = template.Library()


@register.simple_tag(takes_context=True)
def table_rows(context, table):
    labels = {
        column.name: format_html(' data-label="{}"', strip_tags(str(column.header)))
        if column.header
        else ""
        for column in table.columns
    }
    fixed = {column.name: _fixed_cell_attributes(table, column) for column in table.columns}
    renderers = {column.name: _Renderer(column) for column in table.columns}
    rows = []
    for row in table.paginated_rows:
        cells = [f"<tr {row.attrs.as_html()}>"]
        for column in table.columns:
            cell = row._get_and_render_with(
                column, render_func=renderers[column.name].bind(row), default=column.default
            )
            # Each column's current value and record are set before its attributes are
            # read, as `row.items()` and the template's loop did, so attributes computed
            # from the record still work.
            column.current_value, column.current_record = cell, row.record
            attributes = fixed[column.name]
            if attributes is None:
                attributes = column.attrs["td"].as_html()
            cells.append(
                f"<td{' ' if attributes else ''}{attributes}{labels[column.name]}>"
                f"{_cell_html(cell, column.localize, context)}</td>"
            )
        cells.append("</tr>")
        rows.append("".join(cells))
    if not rows and table.empty_text:
        rows.append(
            format_html('<tr><td colspan="{}">{}</td></tr>', len(table.columns), table.empty_text)
        )
    return mark_safe("\n".join(rows))


class _Renderer:
    """A column's `render` (the table's `render_FOO` or the column's own), called with
    the arguments it names among those django-tables2 offers, as `call_with_appropriate`
    calls it, and linked as `BoundRow._call_render` links it."""

    def __init__(self, column):
        self.render = column.render
        self.link = column.link
        self.names, self.takes_any = signature(column.render)

    def bind(self, row):
        def render_cell(column, value=None):
            offered = {
                "value": value,
                "record": row.record,
                "column": column.column,
                "bound_column": column,
                "bound_row": row,
                "table": row.table,
            }
            if self.takes_any:
                content = self.render(**offered)
            elif all(name in offered for name in self.names):
                content = self.render(**{name: offered[name] for name in self.names})
            else:  # it asks for something no cell offers: None, as django-tables2 gives
                content = None
            return self.link(content, **offered) if self.link else content

        return render_cell


def _fixed_cell_attributes(table, column) -> str | None:
    """A column's `<td>` attributes as HTML when none is computed from the row, so they
    are the same on every row (reading `column.attrs` merges and computes them afresh
    each time); None when some are."""
    attrs = {**table.attrs, **column.column.attrs}
    if _computed(attrs.get("td", attrs.get("cell", {}))):
        return None
    return column.attrs["td"].as_html()


def _computed(value) -> bool:
    """Whether django-tables2 would call something in `value` (computed_values)."""
    if callable(value):
        return True
    return isinstance(value, dict) and any(_computed(item) for item in value.values())


def _cell_html(cell, localized, context) -> str:
    """`{{ cell }}`, `{{ cell|localize }}` or `{{ cell|unlocalize }}` as the column asks."""
    if localized is True:
        cell = localize(cell, use_l10n=True)
    elif localized is False:
        cell = localize(cell, use_l10n=False)
    return render_value_in_context(cell, context) if context.autoescape else escape(cell)
