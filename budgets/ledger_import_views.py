"""Pages of the ledger import: the template, the upload, the dry run and the posting.

The uploaded file is kept (budgets.kept_uploads) under its SHA-256 between the dry run
and the posting, and read and checked again in full when posted: what is posted is
exactly the file the finance officer reviewed, checked against the ledger as it is then
(docs/ledger-import.md).
"""

import csv
import io

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from budgets import kept_uploads
from budgets.balances import award_balances
from budgets.kinds import KINDS, InKindBasis
from budgets.ledger import RECORDABLE_KINDS
from budgets.ledger_batch import post_batch
from budgets.ledger_import import (
    COLUMNS,
    MAX_BYTES,
    MAX_ROWS,
    CellError,
    ImportRefused,
    read_ledger_file,
)
from budgets.models import Category, LedgerEntry
from grants import access
from grants.lookups import award_or_404
from grants.money import format_money

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The template's entry sheet: every column but the optional award number.
TEMPLATE_COLUMNS = [column for column in COLUMNS if column.field != "award_number"]
EXAMPLES = {
    "reference": "V-2026-0142",
    "kind": "Expenditure",
    "effective_date": "2026-03-04",
    "amount": "1,234.50",
    "category": "A",
    "share": "federal",
    "pays": "PO-2026-0031",
    "paid_on": "2026-03-10",
    "in_kind_basis": "Volunteer services",
    "in_kind_description": "40 hours of forensic review at $35.00 an hour",
    "memo": "March payroll, investigator",
    "award_number": "",
}


class LedgerUploadForm(forms.Form):
    file = forms.FileField(
        label="Ledger file",
        allow_empty_file=True,  # refused by the reader, in its words
        help_text=f"An .xlsx or .csv file with the template's columns, up to "
        f"{MAX_BYTES // (1024 * 1024)} MB and {MAX_ROWS:,} entries.",
        widget=forms.ClearableFileInput(attrs={"accept": ".xlsx,.csv"}),
    )


def _require_officer(request, award) -> None:
    access.require(
        access.can_record_spending(request.user, award),
        "Only the task force's finance officers import ledger entries.",
    )


# --- The template ---------------------------------------------------------------------


def _allowed(field: str, award) -> str:
    if field == "kind":
        return "; ".join(f"{KINDS[code].label} ({code})" for code in RECORDABLE_KINDS)
    if field == "category":
        lines = award.budget_versions.lines_in_force().order_by("category")
        budgeted = [
            f"{line.get_category_display()} (federal {format_money(line.federal_amount)}, "
            f"non-federal {format_money(line.non_federal_amount)})"
            for line in lines
            if line.federal_amount or line.non_federal_amount
        ]
        return "Budgeted on this award: " + ("; ".join(budgeted) or "none yet")
    if field == "share":
        return "federal; non-federal (the recipient's match)"
    if field == "in_kind_basis":
        return "; ".join(f"{label} ({code})" for code, label in InKindBasis.choices)
    if field == "award_number":
        return award.award_number
    return ""


def _template_xlsx(award) -> bytes:
    workbook = Workbook()
    entries = workbook.active
    entries.title = "Entries"
    entries.append([column.header for column in TEMPLATE_COLUMNS])
    for index, column in enumerate(TEMPLATE_COLUMNS, start=1):
        cell = entries.cell(row=1, column=index)
        cell.font = Font(bold=True)
        entries.column_dimensions[cell.column_letter].width = max(14, len(column.header) + 4)
        if column.field in ("effective_date", "paid_on"):
            entries.column_dimensions[cell.column_letter].number_format = "yyyy-mm-dd"
    entries.freeze_panes = "A2"
    guide = workbook.create_sheet("Columns")
    guide.append([f"Ledger import for award {award.award_number}"])
    guide["A1"].font = Font(bold=True, size=13)
    guide.append(
        [
            "Fill one row per entry on the Entries sheet, values only (no formulas). "
            "Any wrong cell refuses the whole file; a row whose Reference is already on "
            "the ledger is not posted again. The example is not an entry."
        ]
    )
    guide.append([])
    guide.append(["Column", "Required", "What it holds", "Allowed values", "Format", "Example"])
    for cell in guide[4]:
        cell.font = Font(bold=True)
    for column in COLUMNS:
        guide.append(
            [
                column.header,
                "yes" if column.required else "no",
                column.meaning,
                _allowed(column.field, award),
                column.format,
                EXAMPLES[column.field],
            ]
        )
    for letter, width in zip("ABCDEF", (20, 10, 60, 60, 40, 30), strict=True):
        guide.column_dimensions[letter].width = width
    for row in guide.iter_rows(min_row=5):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _template_csv() -> bytes:
    text = io.StringIO()
    csv.writer(text).writerow([column.header for column in TEMPLATE_COLUMNS])
    # With a byte order mark, so Excel opens it as UTF-8.
    return ("\ufeff" + text.getvalue()).encode("utf-8")


@login_required
def ledger_import_template(request, award_number: str, fmt: str):
    """The empty file to fill: anyone who can see the award may download it."""
    award = award_or_404(request, award_number)
    if fmt not in ("xlsx", "csv"):
        raise Http404("The template is an .xlsx or a .csv file.")
    if fmt == "xlsx":
        content, content_type = _template_xlsx(award), XLSX_TYPE
    else:
        content, content_type = _template_csv(), "text/csv; charset=utf-8"
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = (
        f'attachment; filename="ledger-import-{award.award_number}.{fmt}"'
    )
    return response


# --- Upload, dry run, posting -------------------------------------------------------


@login_required
def ledger_import(request, award_number: str):
    award = award_or_404(request, award_number)
    _require_officer(request, award)
    form = LedgerUploadForm(request.POST or None, request.FILES or None)
    errors: list[CellError] = []
    if request.method == "POST" and form.is_valid():
        try:
            return kept_uploads.receive(
                request,
                form.cleaned_data["file"],
                purpose=kept_uploads.Purpose.LEDGER,
                check=lambda name, content: read_ledger_file(name, content, award=award),
                review="budgets:ledger_import_review",
                award=award,
                max_bytes=MAX_BYTES,
            )
        except ImportRefused as refused:
            errors = refused.errors
    return render(
        request,
        "budgets/ledger_import.html",
        {"award": award, "form": form, "errors": errors, "max_rows": MAX_ROWS},
    )


def _row_view(row, entry=None) -> dict:
    """A row of the file as the review lists it; given the entry it would post, with the
    share that entry takes (a disbursement takes the share of what it pays)."""
    share = entry.share if entry is not None else row.share
    return {
        "line": row.line,
        "reference": row.reference,
        "kind": KINDS[row.kind].label,
        "date": row.effective_date,
        "category": Category(row.category).label if row.category else "",
        "share": LedgerEntry.Share(share).label if share else "",
        "amount": entry.amount if entry is not None else row.amount,
        "pays": row.pays,
        "paid_on": row.paid_on,
    }


def _would_post(result, file) -> list[dict]:
    """The file's rows whose entries a run would post, in the file's order (an
    expenditure's payment on its date paid is shown on its row, as its date paid)."""
    entries = {entry.reference: entry for entry in result.posted if entry.reference}
    return [_row_view(row, entries[row.reference]) for row in file.rows if row.reference in entries]


@login_required
def ledger_import_review(request, award_number: str, sha256: str):
    """The dry run (GET) and the posting (POST) of a kept upload, each reading the file
    and checking every row again."""
    award = award_or_404(request, award_number)
    _require_officer(request, award)
    upload = kept_uploads.kept_or_404(
        request, purpose=kept_uploads.Purpose.LEDGER, sha256=sha256, award=award
    )
    posting = request.method == "POST"
    result, errors, file = None, [], None
    try:
        file = read_ledger_file(upload.filename, kept_uploads.content(upload), award=award)
        result = post_batch(
            actor=request.user,
            award=award,
            rows=file.rows,
            dry_run=not posting,
            via=f"ledger import {upload.filename}",
        )
    except ImportRefused as refused:
        errors = refused.errors
    except ValidationError as error:
        errors = [CellError(0, "", "", message) for message in error.messages]
    else:
        errors = file.cell_errors(result.errors)
    if posting and result is not None and not errors:
        kept_uploads.done(upload)
        posted = len(_would_post(result, file))
        skipped = len(result.already_posted)
        messages.success(
            request,
            f"Posted {posted} {'entry' if posted == 1 else 'entries'} from {upload.filename}"
            + (f"; {skipped} already on the ledger were not posted again." if skipped else "."),
        )
        return redirect("budgets:award_ledger", award.award_number)
    listed = result is not None and not errors
    today = timezone.localdate()
    return render(
        request,
        "budgets/ledger_import_review.html",
        {
            "award": award,
            "upload": upload,
            "errors": errors,
            "posting": posting,
            "would_post": _would_post(result, file) if listed else [],
            "already_posted": [_row_view(row) for row in result.already_posted] if listed else [],
            "balance_rows": _balance_rows(
                award,
                award_balances(award, as_of=today),
                result.balances_after if result is not None and not errors else None,
            ),
            "basis": award.recipient.get_accounting_basis_display().lower(),
            "again_url": reverse("budgets:ledger_import", args=[award.award_number]),
        },
    )


def _balance_rows(award, before, after) -> list[tuple[str, object, object]]:
    """The SF-425 lines an import moves, now and after it (on the recipient's basis)."""
    basis = award.recipient.accounting_basis

    def lines(balances):
        on_basis = balances.on_basis(basis)
        return {
            "10c": balances.cash_on_hand,
            "10e": on_basis["10e"],
            "10f": on_basis["10f"],
            "10h": balances.unobligated,
            "10j": on_basis["10j"],
        }

    now, then = lines(before), lines(after) if after is not None else {}
    labels = {
        "10c": "Cash on hand",
        "10e": "Federal expenditures",
        "10f": "Unliquidated obligations",
        "10h": "Unobligated balance",
        "10j": "Recipient share of expenditures (match)",
    }
    return [(f"{label} [{line}]", now[line], then.get(line)) for line, label in labels.items()]
