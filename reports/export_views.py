"""Downloads of the tables, and the old addresses of the auditor workbooks and evidence
packs.

Every table page's download is declared in reports.exports.tables and served by
`table_xlsx`: it holds the rows of one page's table with its filters, written in the
request. Each file goes out through reports.exports.downloads, which writes it to the
audit trail with its SHA-256.

The auditor workbooks and evidence packs may hold the whole program, so no request
writes them: they are prepared in the background (reports.prepared), and their old
addresses lead to My downloads with the file offered (prepared_views.ask_to_prepare).
"""

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseBadRequest

from grants import selectors
from grants.lookups import award_or_404, get_or_404
from grants.models import FIRST_FISCAL_YEAR
from reports.exports import tables
from reports.models import PreparedDownload
from reports.prepared_views import ask_to_prepare

Kind = PreparedDownload.Kind


@login_required
def table_xlsx(request, name: str, key: str | None = None):
    """The download of any table page declared in reports.exports.tables."""
    return tables.download(request, tables.get_or_404(name), key)


# --- The old addresses of workbooks and packs ------------------------------------------


def _fiscal_year(value: str | None) -> int | None:
    """The fiscal year a query asks for; None for the whole program."""
    if value in (None, ""):
        return None
    if not value.isdigit() or not FIRST_FISCAL_YEAR <= int(value) <= 2100:
        raise ValueError(
            f"Fiscal year (fy) must be a year from {FIRST_FISCAL_YEAR} to 2100, such as 2025; "
            f"got {value[:20]!r}."
        )
    return int(value)


@login_required
def program_workbook(request):
    """The auditor workbook for the whole program, or one fiscal year with ?fy=2025
    (task-force staff get their own task forces': selection_about), to prepare."""
    try:
        fiscal_year = _fiscal_year(request.GET.get("fy"))
    except ValueError as error:
        return HttpResponseBadRequest(str(error), content_type="text/plain; charset=utf-8")
    return ask_to_prepare(Kind.WORKBOOK, fiscal_year=fiscal_year)


@login_required
def award_workbook(request, award_number: str):
    award = award_or_404(request, award_number)
    return ask_to_prepare(Kind.WORKBOOK, award=award.award_number)


@login_required
def award_pack(request, award_number: str):
    award = award_or_404(request, award_number)
    return ask_to_prepare(Kind.PACK, award=award.award_number)


@login_required
def task_force_pack(request, code: str):
    task_force = get_or_404(selectors.task_force_list_for_user(user=request.user), code=code)
    return ask_to_prepare(Kind.PACK, task_force=task_force.code)


@login_required
def fiscal_year_pack(request, fiscal_year: int):
    try:
        _fiscal_year(str(fiscal_year))
    except ValueError:
        raise Http404("No such fiscal year.") from None
    return ask_to_prepare(Kind.PACK, fiscal_year=fiscal_year)
