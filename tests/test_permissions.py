"""The permission matrix: every URL, every persona, the exact status code.

A URL added to the app without a row here fails `test_every_url_is_in_the_matrix`.
Django admin is left out: it has its own staff-only permission system.
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.tokens import token_create
from budgets.models import BudgetModification, DrawdownRequest, LedgerEntry, LedgerUpload
from grants.models import Amendment, Award
from grants.services import amendment_record, hold_place
from reports.exports import tables
from reports.models import MEASURES, FinancialReport, ProgressReport
from tests.allocations.helpers import program_run
from tests.reports.report_type_helpers import declare_amendment_reports

PERSONAS = ["anonymous", "officer_a", "officer_b", "pm", "approver", "auditor"]
LOGIN = 302  # anonymous people are sent to the sign-in page
TABLE = "exports:table"  # every table's download, by the table's name


def row(anonymous, officer_a, officer_b, pm, approver, auditor):
    return dict(
        zip(PERSONAS, (anonymous, officer_a, officer_b, pm, approver, auditor), strict=True)
    )


# (url name, method) -> expected status per persona. Objects belong to task force A.
MATRIX = {
    ("home", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("login", "GET"): row(200, 200, 200, 200, 200, 200),
    ("logout", "GET"): row(405, 405, 405, 405, 405, 405),
    ("logout", "POST"): row(302, 302, 302, 302, 302, 302),
    ("grants:appropriation_list", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("grants:appropriation_create", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("grants:appropriation_detail", "GET"): row(LOGIN, 404, 404, 200, 200, 200),
    ("grants:task_force_list", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("grants:task_force_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("grants:award_list", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("grants:search", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    # Task force A's lead organization: its staff read its rates; program staff record them.
    ("grants:indirect_rates", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("grants:indirect_rates", "POST"): row(LOGIN, 403, 404, 302, 302, 403),
    ("grants:award_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    # Each lifecycle step asks first (GET) and acts on the POST of that page.
    ("grants:award_transition", "GET"): row(LOGIN, 403, 404, 200, 403, 403),
    ("grants:award_transition", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("grants:hold_place", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("grants:hold_place", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("grants:award_drawdown_approval", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("grants:award_drawdown_approval", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("grants:hold_lift", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("grants:hold_lift", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("budgets:award_create", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    # Past awards are made by whoever makes awards: program managers only.
    ("budgets:history_import", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("budgets:history_import", "POST"): row(LOGIN, 403, 403, 200, 403, 403),
    ("budgets:award_ledger", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("budgets:entry_create", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:entry_create", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:entry_reverse", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:entry_reverse", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    # The ledger import: its template for anyone who sees the award; the upload, its dry
    # run and its posting for the task force's finance officers (the factory's award A is
    # a draft, so posting is refused by the engine and the page comes back).
    ("budgets:ledger_import_template", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("budgets:ledger_import", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:ledger_import", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:ledger_import_review", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:ledger_import_review", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:drawdown_create", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:drawdown_create", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("budgets:drawdown_queue", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("budgets:drawdown_decide", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("budgets:drawdown_decide", "POST"): row(LOGIN, 403, 404, 403, 302, 403),
    # ASAP payments are recorded by whoever records a payment: financial approvers only.
    ("budgets:asap_payment_import", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("budgets:asap_payment_import", "POST"): row(LOGIN, 403, 403, 403, 200, 403),
    ("reports:award_reports", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:award_charts", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:program_charts", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("reports:award_close", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("reports:award_close", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("reports:sf425_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:sf425_detail", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("reports:progress_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:progress_detail", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    # The shared filing page and download of a report type without its own (a type
    # declared by the test: tests/reports/report_type_helpers.py).
    ("reports:report_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:report_detail", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("reports:report_pdf", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:report_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("reports:report_review", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("reports:report_review", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("reports:calendar", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:awards", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:appropriations", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("exports:table:task_forces", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:drawdowns", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:ledger", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:sf425_pdf", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:award_pdf", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:amendment_pdf", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:progress_pdf", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:program_summary_pdf", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    # Each PDF read as a page: the PDF's own view, so the PDF's own row.
    ("exports:sf425_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:award_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:amendment_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:progress_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:program_summary_html", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    # Task-force staff get the program workbook and a year's pack for their own task force.
    ("exports:program_workbook", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:award_workbook", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:award_pack", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:task_force_pack", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:fiscal_year_pack", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("reports:measures", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("reports:reminders", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("exports:table:calendar", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:measures", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:reminders", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("reports:calendar_feed_settings", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("reports:calendar_feed_settings", "POST"): row(LOGIN, 302, 302, 302, 302, 302),
    ("modifications:propose", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    # The factory's award A is a draft: the program manager may set its budget.
    ("modifications:pre_award", "GET"): row(LOGIN, 403, 404, 200, 403, 403),
    ("modifications:pre_award", "POST"): row(LOGIN, 403, 404, 200, 403, 403),
    ("modifications:propose", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("modifications:supplement", "GET"): row(LOGIN, 403, 404, 200, 403, 403),
    ("modifications:supplement", "POST"): row(LOGIN, 403, 404, 200, 403, 403),
    ("modifications:decrease", "GET"): row(LOGIN, 403, 404, 200, 403, 403),
    ("modifications:decrease", "POST"): row(LOGIN, 403, 404, 200, 403, 403),
    ("modifications:terms", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("modifications:list", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("modifications:detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("modifications:decide", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("modifications:decide", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("amendments:list", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("amendments:decide", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("amendments:decide", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("amendments:extension", "GET"): row(LOGIN, 200, 404, 403, 403, 403),
    ("amendments:extension", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("amendments:administrative", "GET"): row(LOGIN, 403, 404, 200, 403, 403),
    ("amendments:administrative", "POST"): row(LOGIN, 403, 404, 200, 403, 403),
    ("amendments:match_change", "GET"): row(LOGIN, 403, 404, 200, 403, 403),
    ("amendments:match_change", "POST"): row(LOGIN, 403, 404, 200, 403, 403),
    ("exports:table:budget_changes", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:table:amendments", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    # No sign-in: the token is the key, and this one names no feed, whoever asks.
    ("reports:calendar_feed", "GET"): row(404, 404, 404, 404, 404, 404),
    # Allocation scenarios: program office and auditors read; program managers act;
    # task-force staff see none (docs: README "Formula allocations").
    ("allocations:run_list", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("allocations:run_create", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("exports:table:allocation_runs", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("allocations:compare", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("exports:table:allocation_comparison", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("allocations:factor_list", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("exports:table:allocation_factors", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("allocations:factor_import", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("allocations:factor_edit", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("allocations:factor_edit", "POST"): row(LOGIN, 403, 403, 302, 403, 403),
    ("allocations:run_detail", "GET"): row(LOGIN, 404, 404, 200, 200, 200),
    ("exports:table:allocation_run", "GET"): row(LOGIN, 404, 404, 200, 200, 200),
    ("allocations:run_publish", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("allocations:run_publish", "POST"): row(LOGIN, 404, 404, 302, 403, 403),
    ("allocations:run_waive", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("allocations:run_waive", "POST"): row(LOGIN, 404, 404, 302, 403, 403),
    # Everyone manages their own API tokens; the token here is officer A's.
    ("api_tokens:list", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("api_tokens:list", "POST"): row(LOGIN, 200, 200, 200, 200, 200),
    ("api_tokens:revoke", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("api_tokens:revoke", "POST"): row(LOGIN, 302, 404, 404, 404, 404),
    # Everyone manages their own second factors; staff are sent from the app to passkeys.
    ("mfa:manage", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("mfa:enrol", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("mfa:enrol_totp", "GET"): row(LOGIN, 200, 200, 302, 302, 302),
    ("mfa:enrol_passkey", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("mfa:verify", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("mfa:recovery_codes", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("mfa:recovery_codes_regenerate", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("mfa:recovery_codes_regenerate", "POST"): row(LOGIN, 302, 302, 302, 302, 302),
    ("mfa:remove", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("mfa:remove", "POST"): row(LOGIN, 404, 404, 404, 404, 404),  # nobody's passkey
    # Everyone's own account page, password change and sign-out everywhere.
    ("accounts:account", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("accounts:sign_out_everywhere", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("accounts:sign_out_everywhere", "POST"): row(LOGIN, 302, 302, 302, 302, 302),
    ("accounts:password_change", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("accounts:password_change", "POST"): row(LOGIN, 200, 200, 200, 200, 200),
    ("accounts:password_change_done", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    # Password reset: open to all, the same answer whether or not the address is known.
    ("accounts:password_reset", "GET"): row(200, 200, 200, 200, 200, 200),
    ("accounts:password_reset", "POST"): row(302, 302, 302, 302, 302, 302),
    ("accounts:password_reset_done", "GET"): row(200, 200, 200, 200, 200, 200),
    ("accounts:password_reset_confirm", "GET"): row(200, 200, 200, 200, 200, 200),
    ("accounts:password_reset_complete", "GET"): row(200, 200, 200, 200, 200, 200),
    # The access review: program office and auditors; unlocking: system administrators.
    ("accounts:access_review", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("accounts:access_review_xlsx", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("accounts:unlock", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("accounts:unlock", "POST"): row(LOGIN, 403, 403, 403, 403, 403),
}

POST_DATA = {
    "api_tokens:list": lambda program: {
        "name": "Ledger sync",
        "expires_on": (date.today() + timedelta(days=30)).isoformat(),
    },
    "accounts:password_reset": {"email": "nobody@example.gov"},
    "accounts:unlock": {"username": "officer_a"},
    "grants:hold_place": {"reason": "Monitoring finding"},
    "grants:indirect_rates": {"rate_type": "de_minimis", "effective_from": "2024-10-01"},
    "grants:hold_lift": {"reason": "Resolved"},
    "grants:award_drawdown_approval": {"required": "1", "reason": "High-risk designation"},
    "budgets:entry_reverse": {
        "reason": "Posted twice",
        "idempotency_key": "8a7c2f7e-3c55-4c8e-9d7e-5b0d2b1f0a11",
    },
    # The award is a draft, so a valid drawdown is refused by the service: the form comes back.
    "budgets:drawdown_create": {
        "amount": "1.00",
        "idempotency_key": "0b8f9a52-6a53-4c1e-8f52-3c2d1e0f9a77",
    },
    "reports:report_review": {"decision": "accept"},
    "modifications:decide": {"decision": "reject", "note": "Not allowable"},
    "amendments:decide": {"decision": "reject", "note": "Not justified"},
    "allocations:factor_edit": {
        "population": "8600000",
        "leads": "1200",
        "cases_referred": "300",
        "prosecutions": "210",
        "training": "4000",
        "need_score": "12.5",
    },
    "allocations:run_waive": lambda program: {
        "task_force": program.task_force_a.pk,
        "reason": "Hardship",
    },
}


def url_with_its_record(name: str, program) -> str:
    """The URL of page or download `name`, after making the record it shows (task force
    A's award, amendment, filed report...)."""
    award = program.award_a.award_number
    if name in DOCUMENT_PAGES:  # the PDF's record and arguments
        return url_with_its_record(DOCUMENT_PAGES[name], program).removesuffix(".pdf") + ".html"
    if name.startswith(TABLE + ":"):
        export = name.removeprefix(TABLE + ":")
        key = {"ledger": lambda: award, "allocation_run": lambda: program_run(program).pk}.get(
            export
        )
        return reverse(TABLE, args=[export, key()] if key else [export])
    if name == "grants:appropriation_detail":
        return reverse(name, args=[program.appropriation.pk])
    if name == "exports:fiscal_year_pack":
        return reverse(name, args=[2025])
    if name == "grants:indirect_rates":
        return reverse(name, args=[program.task_force_a.lead_organization.uei])
    if name in ("grants:task_force_detail", "exports:task_force_pack"):
        return reverse(name, args=[program.task_force_a.code])
    if name == "grants:award_transition":
        return reverse(name, args=[award, "offered"])
    if name in (
        "grants:award_detail",
        "grants:hold_place",
        "grants:award_drawdown_approval",
    ):
        return reverse(name, args=[award])
    if name == "budgets:entry_create":
        return reverse(name, args=[award, "expenditure"])
    if name == "budgets:ledger_import_template":
        return reverse(name, args=[award, "xlsx"])
    if name == "budgets:ledger_import_review":
        upload = LedgerUpload.objects.create(
            award=program.award_a,
            sha256="a" * 64,
            filename="spending.csv",
            content=b"Reference,Kind,Date,Amount\nV-1,Program income,2025-01-15,10.00\n",
            uploaded_by=program.officer_a,
        )
        return reverse(name, args=[award, upload.sha256])
    if name in (
        "budgets:award_ledger",
        "budgets:ledger_import",
        "budgets:drawdown_create",
        "exports:award_workbook",
        "exports:award_pack",
    ):
        return reverse(name, args=[award])
    if name == "budgets:entry_reverse":
        entry = LedgerEntry.objects.create(
            award=program.award_a,
            kind="expenditure",
            category="A",
            amount=Decimal("10.00"),
            effective_date=date(2025, 1, 15),
            actor=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
        return reverse(name, args=[award, entry.pk])
    if name == "budgets:drawdown_decide":
        Award.objects.filter(pk=program.award_a.pk).update(
            status="active", drawdowns_need_approval=True
        )
        drawdown = DrawdownRequest.objects.create(
            award=program.award_a,
            amount=Decimal("5.00"),
            requested_on=date.today(),
            requested_by=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
        return reverse(name, args=[drawdown.pk, "approve"])
    if name in ("reports:award_reports", "reports:award_close", "reports:award_charts"):
        return reverse(name, args=[award])
    if name == "exports:sf425_pdf":
        return reverse(name, args=[award, "2024-12-31"])
    if name == "exports:award_pdf":
        return reverse(name, args=[award])
    if name == "exports:amendment_pdf":
        amendment = amendment_record(
            actor=program.pm,
            award=program.award_a,
            kind="administrative",
            description="New authorized representative",
            requested_on=date(2025, 1, 6),
        )
        return reverse(name, args=[award, amendment.number])
    if name == "exports:progress_pdf":
        ProgressReport.objects.create(
            award=program.award_a,
            period_end=date(2024, 12, 31),
            status="submitted",
            submitted_by=program.officer_a,
            submitted_at=timezone.now(),
            accomplishments="x",
            **{field: 0 for field, _ in MEASURES},
        )
        return reverse(name, args=[award, "2024-12-31"])
    if name == "exports:program_summary_pdf":
        return reverse(name, args=[program.appropriation.fiscal_year])
    if name in ("reports:sf425_detail", "reports:progress_detail"):
        return reverse(name, args=[award, "2024-12-31"])
    if name in SHARED_REPORT_PAGES:
        # The amendment notice's page may have made it already (the walks of every page).
        Amendment.objects.get_or_create(
            award=program.award_a,
            number=1,
            defaults=dict(
                kind="administrative",
                description="x",
                requested_on=date(2025, 1, 6),
                requested_by=program.pm,
            ),
        )
        if name in ("reports:report_pdf", "reports:report_html"):
            ProgressReport.objects.create(
                award=program.award_a,
                period_end=date(2025, 1, 6),
                status="submitted",
                submitted_by=program.officer_a,
                submitted_at=timezone.now(),
                accomplishments="x",
                **{field: 0 for field, _ in MEASURES},
            )
        return reverse(name, args=[award, "amendment", "2025-01-06"])
    if name == "reports:report_review":
        report = FinancialReport.objects.create(
            award=program.award_a,
            period_end=date(2024, 12, 31),
            status="submitted",
            lines={},
            submitted_by=program.officer_a,
            submitted_at=timezone.now(),
            certifier_name="x",
            certifier_title="x",
            certifier_phone="x",
            certifier_email="x@example.gov",
        )
        return reverse(name, args=["sf425", report.pk])
    if name in (
        "modifications:propose",
        "modifications:supplement",
        "modifications:decrease",
        "modifications:terms",
        "modifications:pre_award",
        "amendments:extension",
        "amendments:administrative",
        "amendments:match_change",
    ):
        return reverse(name, args=[award])
    if name in ("modifications:detail", "modifications:decide"):
        version = program.award_a.budget_versions.get()
        modification = BudgetModification.objects.create(
            award=program.award_a,
            status="requested",
            replaces=version,
            base=version,
            award_amount=program.award_a.federal_amount,
            cumulative_transfer=Decimal("0.00"),
            transfer_limit=Decimal("20000.00"),
            transfer_pct=Decimal("10"),
            simplified_acquisition_threshold=Decimal("350000.00"),
            new_categories="F",
            needs_approval=True,
            requested_by=program.officer_a,
            requested_on=date(2025, 1, 6),
            amendment=Amendment.objects.create(
                award=program.award_a,
                number=1,
                kind="budget_modification",
                description="x",
                requested_on=date(2025, 1, 6),
                requested_by=program.officer_a,
            ),
        )
        return reverse(name, args=[modification.pk])
    if name == "amendments:decide":
        amendment = Amendment.objects.create(
            award=program.award_a,
            number=1,
            kind="no_cost_extension",
            description="Trial delayed",
            requested_on=date(2025, 1, 6),
            requested_by=program.gadmin_a,
            period_end_before=program.award_a.period_end,
            period_end_after=date(2027, 3, 31),
        )
        return reverse(name, args=[amendment.pk])
    if name == "reports:calendar_feed":
        return reverse(name, args=["not-a-real-calendar-token"])
    if name in ("allocations:run_detail", "allocations:run_publish", "allocations:run_waive"):
        return reverse(name, args=[program_run(program).pk])
    if name == "allocations:factor_edit":
        return reverse(name, args=[2025, program.task_force_a.code])
    if name == "api_tokens:revoke":
        token = token_create(
            user=program.officer_a, name="Sync", expires_on=date.today() + timedelta(days=30)
        ).token
        return reverse(name, args=[token.pk])
    if name == "mfa:remove":
        return reverse(name, args=["passkey", 999999])
    if name == "accounts:password_reset_confirm":
        return reverse(name, args=["MQ", "not-a-real-token"])
    if name == "grants:hold_lift":
        hold = hold_place(actor=program.pm, award=program.award_a, reason="Open finding")
        return reverse(name, args=[award, hold.pk])
    return reverse(name)


SHARED_REPORT_PAGES = ("reports:report_detail", "reports:report_pdf", "reports:report_html")
# The page of each PDF document, and its PDF.
DOCUMENT_PAGES = {
    "exports:sf425_html": "exports:sf425_pdf",
    "exports:award_html": "exports:award_pdf",
    "exports:amendment_html": "exports:amendment_pdf",
    "exports:progress_html": "exports:progress_pdf",
    "exports:program_summary_html": "exports:program_summary_pdf",
    "reports:report_html": "reports:report_pdf",
}
REDIRECT_ELSEWHERE = ("logout", "accounts:password_reset")


def _names(resolver=None, namespace="") -> set[str]:
    names = set()
    for pattern in (resolver or get_resolver()).url_patterns:
        if isinstance(pattern, URLResolver):
            if pattern.namespace in ("admin", "api", "otp_webauthn"):
                # The JSON API has its own matrix (tests/api/test_api_permissions.py); the
                # passkey ceremonies theirs (tests/accounts/test_mfa*.py).
                continue
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _names(pattern, inner)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_url_is_in_the_matrix():
    # The one table-download URL has a row for each table declared.
    names = (_names() - {TABLE}) | {f"{TABLE}:{name}" for name in tables.registered()}
    assert names == {name for name, _ in MATRIX}


CASES = [
    (name, method, persona, code)
    for (name, method), row_ in MATRIX.items()
    for persona, code in row_.items()
]


@pytest.mark.parametrize(
    "name, method, persona, expected", CASES, ids=[f"{c[0]}-{c[1]}-{c[2]}" for c in CASES]
)
def test_permission_matrix(client, program, monkeypatch, name, method, persona, expected):
    if name in SHARED_REPORT_PAGES:
        declare_amendment_reports(monkeypatch)
    if persona != "anonymous":
        client.force_login(getattr(program, persona))
    url = url_with_its_record(name, program)
    data = POST_DATA.get(name, {})
    data = data(program) if callable(data) else data
    response = client.post(url, data) if method == "POST" else client.get(url)
    assert response.status_code == expected, f"{persona} {method} {url}"
    # Signing out and asking for a reset link redirect elsewhere; the rest ask to sign in.
    if expected == LOGIN and persona == "anonymous" and name not in REDIRECT_ELSEWHERE:
        assert response["Location"].startswith(reverse("login"))


def test_other_task_force_is_not_listed(client, program):
    """Task force B's officer sees none of A's awards in lists, filters or the dashboard."""
    client.force_login(program.officer_b)
    for url in (
        reverse("grants:award_list"),
        reverse("grants:task_force_list"),
        reverse("home") + "?fy=2025",
        reverse("grants:award_list") + f"?task_force={program.task_force_a.pk}",
    ):
        body = client.get(url).content.decode()
        assert program.award_a.award_number not in body
        assert program.task_force_a.name not in body
    assert program.award_b.award_number in client.get(reverse("grants:award_list")).content.decode()
