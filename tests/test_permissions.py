"""The permission matrix: every URL, every persona, the exact status code.

A URL added to the app without a row here fails `test_every_url_is_in_the_matrix`.
Django admin is left out: it has its own staff-only permission system.
"""

import uuid
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from api.tokens import token_create
from budgets.models import BudgetModification, DrawdownRequest, KeptUpload, LedgerEntry
from compliance.models import EquipmentItem, Subaward, Subrecipient
from documents.services import attachment_add
from grants.models import Amendment, Award
from grants.services import amendment_record, hold_place
from oversight import services as oversight_services
from reports.exports import tables
from reports.models import (
    MEASURES,
    FinancialReport,
    PreparedDownload,
    ProgressReport,
    ReportComment,
)
from tests.allocations.helpers import program_run
from tests.oversight.conftest import record_review
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
    # Oversight: risk reviews are the program office's and auditors' (task-force staff
    # see none, not even their own recipient's); an award's conditions and monitoring
    # are read by whoever reads the award, changed by program managers, and a finding's
    # corrective action plan comes from the task force.
    ("oversight:overview", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("oversight:review_create", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("oversight:review_create", "POST"): row(LOGIN, 403, 403, 302, 403, 403),
    ("oversight:review_detail", "GET"): row(LOGIN, 404, 404, 200, 200, 200),
    ("oversight:review_detail", "POST"): row(LOGIN, 404, 404, 302, 403, 403),
    ("oversight:award", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("oversight:condition_create", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:condition_create", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("oversight:condition_clear", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:condition_clear", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("oversight:activity_create", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:activity_create", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("oversight:activity_done", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:activity_done", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("oversight:finding_create", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:finding_create", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("oversight:finding_plan", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:finding_plan", "POST"): row(LOGIN, 302, 404, 403, 403, 403),
    ("oversight:finding_close", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("oversight:finding_close", "POST"): row(LOGIN, 403, 404, 302, 403, 403),
    ("budgets:award_create", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    # Past awards are made by whoever makes awards: program managers only.
    ("budgets:history_import", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("budgets:history_import", "POST"): row(LOGIN, 403, 403, 200, 403, 403),
    # The dry run of a kept file, and importing it: its uploader's alone.
    ("budgets:history_import_review", "GET"): row(LOGIN, 403, 403, 200, 403, 403),
    ("budgets:history_import_review", "POST"): row(LOGIN, 403, 403, 200, 403, 403),
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
    ("budgets:asap_payment_review", "GET"): row(LOGIN, 403, 403, 403, 200, 403),
    ("budgets:asap_payment_review", "POST"): row(LOGIN, 403, 403, 403, 302, 403),
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
    # A returned report's thread: its filers and the program managers who review it.
    ("reports:report_comment", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("reports:report_comment", "POST"): row(LOGIN, 302, 404, 302, 403, 403),
    # Documents of award A: read by all who read it; attached by its staff and program staff.
    ("documents:parent", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("documents:parent", "POST"): row(LOGIN, 302, 404, 302, 302, 403),
    ("documents:download", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    # Compliance: task force A's lead agency, subrecipient, subaward and equipment.
    ("compliance:index", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("compliance:index", "POST"): row(LOGIN, 200, 200, 403, 403, 403),
    ("compliance:recipient_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:recipient_detail", "POST"): row(LOGIN, 200, 404, 200, 403, 403),
    ("compliance:audit_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:audit_detail", "POST"): row(LOGIN, 200, 404, 200, 403, 403),
    ("compliance:sefa", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:sefa_xlsx", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:subrecipient_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:subrecipient_detail", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("compliance:award_subawards", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:award_subawards", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("compliance:subaward_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:subaward_detail", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("compliance:award_equipment", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:award_equipment", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
    ("compliance:equipment_detail", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("compliance:equipment_detail", "POST"): row(LOGIN, 200, 404, 403, 403, 403),
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
    # The program summary's PDF, the workbooks and packs: prepared in the background, so
    # their addresses lead (302) to My downloads with the file offered, after the same checks.
    ("exports:program_summary_pdf", "GET"): row(LOGIN, 403, 403, 302, 302, 302),
    # Each PDF read as a page: the PDF's own view, so the PDF's own row.
    ("exports:sf425_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:award_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:amendment_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:progress_html", "GET"): row(LOGIN, 200, 404, 200, 200, 200),
    ("exports:program_summary_html", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    # Task-force staff get the program workbook and a year's pack for their own task force.
    ("exports:program_workbook", "GET"): row(LOGIN, 302, 302, 302, 302, 302),
    ("exports:award_workbook", "GET"): row(LOGIN, 302, 404, 302, 302, 302),
    ("exports:award_pack", "GET"): row(LOGIN, 302, 404, 302, 302, 302),
    ("exports:task_force_pack", "GET"): row(LOGIN, 302, 404, 302, 302, 302),
    ("exports:fiscal_year_pack", "GET"): row(LOGIN, 302, 302, 302, 302, 302),
    # Prepared downloads: everyone may ask; a download is its owner's (officer A's) only.
    ("exports:my_downloads", "GET"): row(LOGIN, 200, 200, 200, 200, 200),
    ("exports:prepare_download", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("exports:prepare_download", "POST"): row(LOGIN, 302, 302, 302, 302, 302),
    ("exports:download", "GET"): row(LOGIN, 200, 404, 404, 404, 404),
    # Taking a run under way: the owner is sent back to their (here finished) download.
    ("exports:take_run", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("exports:take_run", "POST"): row(LOGIN, 302, 404, 404, 404, 404),
    ("exports:download_file", "GET"): row(LOGIN, 200, 404, 404, 404, 404),
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
    ("mfa:rename", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("mfa:rename", "POST"): row(LOGIN, 404, 404, 404, 404, 404),  # nobody's passkey
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
    ("exports:table:access_review", "GET"): row(LOGIN, 403, 403, 200, 200, 200),
    ("accounts:unlock", "GET"): row(LOGIN, 405, 405, 405, 405, 405),
    ("accounts:unlock", "POST"): row(LOGIN, 403, 403, 403, 403, 403),
}

POST_DATA = {
    "oversight:review_create": lambda program: {
        "recipient": program.award_a.recipient_id,
        "fiscal_year": "2026",
        "reviewed_on": "2025-01-10",
        "financial_stability": "sound",
        "sam_active": "on",
        "sam_checked_on": "2025-01-10",
    },
    "oversight:review_detail": {"level": "low", "signature": "pm"},
    "oversight:condition_create": {
        "text": "Quarterly inventory",
        "clearer_role": "Program manager",
        "clear_by": "2099-01-31",
    },
    "oversight:condition_clear": {"note": "Received"},
    "oversight:activity_create": {"kind": "desk_review", "planned_on": "2025-06-01"},
    "oversight:activity_done": lambda program: {
        "done_on": date.today().isoformat(),
        "summary": "Payroll tested",
    },
    "oversight:finding_create": lambda program: {
        "text": "Timesheets unsigned",
        "cap_due_on": "2099-01-31",
    },
    "oversight:finding_plan": {"corrective_action": "Supervisors sign weekly"},
    "oversight:finding_close": {"resolution": "Seen"},
    "exports:prepare_download": {"kind": "workbook", "fy": "2025"},
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
    "reports:report_comment": {"body": "Corrected line 10b."},
    "documents:parent": lambda program: {
        "file": SimpleUploadedFile("receipts.pdf", b"%PDF-1.4\n%%EOF\n"),
    },
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
    if name in ("exports:download", "exports:download_file", "exports:take_run"):
        stored = default_storage.save("prepared-downloads/a.xlsx", ContentFile(b"x"))
        download = PreparedDownload.objects.create(
            owner=program.officer_a,
            kind="workbook",
            label="Auditor workbook",
            status="ready",
            filename="a.xlsx",
            storage_name=stored,
            sha256="a" * 64,
        )
        return reverse(name, args=[download.pk])
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
    if name == "budgets:asap_payment_review":
        # A payment of no award: the dry run matches nothing, and recording it records none.
        upload = KeptUpload.objects.create(
            purpose=KeptUpload.Purpose.ASAP_PAYMENTS,
            sha256="b" * 64,
            filename="asap.csv",
            content=b"Award number,Payment date,Amount\n15PJDP-25-GK-09999-MECP,01/15/2025,750.00\n",
            uploaded_by=program.approver,
        )
        return reverse(name, args=[upload.sha256])
    if name == "budgets:history_import_review":
        # A file that does not read: the page shows why, whether asked or posted.
        upload = KeptUpload.objects.create(
            purpose=KeptUpload.Purpose.PAST_AWARDS,
            sha256="c" * 64,
            filename="history.csv",
            content=b"Award number\n",
            uploaded_by=program.pm,
        )
        return reverse(name, args=[upload.sha256])
    if name == "budgets:ledger_import_review":
        upload = KeptUpload.objects.create(
            purpose=KeptUpload.Purpose.LEDGER,
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
    if name == "documents:parent":
        return reverse(name, args=["award", program.award_a.pk])
    if name == "documents:download":
        attachment = attachment_add(
            actor=program.officer_a,
            parent=program.award_a,
            upload=SimpleUploadedFile("receipts.pdf", b"%PDF-1.4\n%%EOF\n"),
        )
        return reverse(name, args=[attachment.pk])
    if name == "reports:report_comment":
        report = FinancialReport.objects.create(
            award=program.award_a,
            period_end=date(2024, 12, 31),
            status="returned",
            lines={},
            submitted_by=program.officer_a,
            submitted_at=timezone.now(),
            certifier_name="x",
            certifier_title="x",
            certifier_phone="x",
            certifier_email="x@example.gov",
        )
        ReportComment.objects.create(
            financial_report=report,
            author=program.pm,
            written_at=timezone.now(),
            body="Explain line 10b.",
            starts_return=True,
        )
        return reverse(name, args=["sf425", report.pk])
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
    if name in ("mfa:remove", "mfa:rename"):
        return reverse(name, args=["passkey", 999999])
    if name == "accounts:password_reset_confirm":
        return reverse(name, args=["MQ", "not-a-real-token"])
    if name.startswith("compliance:") and name != "compliance:index":
        return _compliance_url(name, program)
    if name.startswith("oversight:"):
        return oversight_url(name, program)
    if name == "grants:hold_lift":
        hold = hold_place(actor=program.pm, award=program.award_a, reason="Open finding")
        return reverse(name, args=[award, hold.pk])
    return reverse(name)


def _compliance_url(name: str, program) -> str:
    """Task force A's lead agency, a subrecipient of A, a subaward and an item of
    equipment on award A (made directly: the rules have tests of their own)."""
    award = program.award_a
    recipient = program.task_force_a.lead_organization
    if name in ("compliance:recipient_detail",):
        return reverse(name, args=[recipient.pk])
    if name in ("compliance:audit_detail", "compliance:sefa", "compliance:sefa_xlsx"):
        return reverse(name, args=[recipient.pk, "2025-06-30"])
    if name in ("compliance:award_subawards", "compliance:award_equipment"):
        return reverse(name, args=[award.award_number])
    # get_or_create: the browser walks ask for several of these URLs on one database.
    sub, _ = Subrecipient.objects.get_or_create(
        task_force=program.task_force_a,
        uei="M7HJK2LQ9P1A",
        defaults={"legal_name": "Town", "created_by": program.officer_a},
    )
    if name == "compliance:subrecipient_detail":
        return reverse(name, args=[sub.pk])
    if name == "compliance:subaward_detail":
        subaward, _ = Subaward.objects.get_or_create(
            award=award,
            subrecipient=sub,
            agreement_number="SA-1",
            defaults={
                "amount": Decimal("40000.00"),
                "signed_on": date(2025, 3, 14),
                "purpose": "Investigations",
                "created_by": program.officer_a,
            },
        )
        return reverse(name, args=[award.award_number, subaward.pk])
    item = EquipmentItem.objects.filter(award=award, tag="T-1").first()
    if item is None:
        entry = LedgerEntry.objects.create(
            award=award,
            kind="expenditure",
            category="D",
            amount=Decimal("12000.00"),
            effective_date=date(2025, 1, 15),
            actor=program.officer_a,
            idempotency_key=uuid.uuid4(),
        )
        item = EquipmentItem.objects.create(
            award=award,
            entry=entry,
            description="Workstation",
            tag="T-1",
            unit_cost=Decimal("12000.00"),
            acquired_on=date(2025, 1, 15),
            location="Lab",
            created_by=program.officer_a,
        )
    return reverse(name, args=[award.award_number, item.pk])


def oversight_url(name: str, program) -> str:
    award = program.award_a
    if name == "oversight:review_detail":
        return reverse(name, args=[record_review(program).pk])
    if name == "oversight:condition_clear":
        condition = oversight_services.condition_impose(
            actor=program.pm,
            award=award,
            text="Quarterly inventory",
            withholds_funds=True,
            clearer_role="Program manager",
            clear_by=date(2099, 1, 31),
        )
        return reverse(name, args=[award.award_number, condition.number])
    if name in ("oversight:activity_done", "oversight:finding_create"):
        activity = oversight_services.activity_plan(
            actor=program.pm, award=award, kind="site_visit", planned_on=date(2025, 2, 1)
        )
        if name == "oversight:finding_create":
            oversight_services.activity_complete(
                actor=program.pm, activity=activity, done_on=date(2025, 2, 3), summary="Visited"
            )
        return reverse(name, args=[award.award_number, activity.pk])
    if name in ("oversight:finding_plan", "oversight:finding_close"):
        activity = oversight_services.activity_plan(
            actor=program.pm, award=award, kind="site_visit", planned_on=date(2025, 2, 1)
        )
        oversight_services.activity_complete(
            actor=program.pm, activity=activity, done_on=date(2025, 2, 3), summary="Visited"
        )
        finding = oversight_services.finding_record(
            actor=program.pm, activity=activity, text="Unsigned", cap_due_on=date(2099, 1, 31)
        )
        return reverse(name, args=[award.award_number, finding.pk])
    if name in ("oversight:overview", "oversight:review_create"):
        return reverse(name)
    return reverse(name, args=[award.award_number])


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
def test_permission_matrix(
    client, program, monkeypatch, memory_storage, name, method, persona, expected
):
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
