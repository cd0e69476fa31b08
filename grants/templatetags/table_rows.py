"""The body rows of every django-tables2 table (templates/django_tables2/uswds.html).

The rows are written here rather than by the template's nested loops: the template
engine resolved half a dozen variables and filters per cell, and on a ledger page of 25
rows by 11 columns that was most of the request's CPU time. The HTML is the same as
the template wrote: `<tr>` with the row's attributes, one `<td>` per column with its
attributes and its heading as `data-label` (the stacked layout below 480 px shows it),
the cell's value localized and escaped as `{{ cell }}` would be.
"""

from django import template
from django.template.base import render_value_in_context
from django.utils.formats import localize
from django.utils.html import escape, format_html, strip_tags
from django.utils.safestring import mark_safe

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
    rows = []
    for row in table.paginated_rows:
        cells = [f"<tr {row.attrs.as_html()}>"]
        # `row.items()` sets each column's current value and record before its
        # attributes are read, as the template's loop did, so attributes computed from
        # the record still work.
        for column, cell in row.items():
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
