"""Pages built around one django-tables2 table with a django-filter form above it."""

from django.shortcuts import render
from django_tables2 import RequestConfig

PER_PAGE = 25


def paginate(request, table) -> None:
    """Sort and paginate `table` from the request's query string, PER_PAGE rows a page."""
    RequestConfig(request, paginate={"per_page": PER_PAGE}).configure(table)


def render_table_page(request, *, template: str, filterset, table, context: dict) -> object:
    paginate(request, table)
    return render(request, template, {"filter": filterset, "table": table, **context})
