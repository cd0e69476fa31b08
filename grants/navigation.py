"""The menu, the current section in it, and the breadcrumbs of every page below the
home page (docs/home.md#finding-things).

One place decides them from the URL, so every page gets the same trail without its
template saying anything: Home, the section the page belongs to, the award (or task
force, appropriation, scenario) it is about, and the page itself.
"""

from collections.abc import Callable
from dataclasses import dataclass

from django.urls import reverse

from grants import access, selectors


@dataclass(frozen=True)
class Section:
    key: str
    label: str
    url_name: str
    # The first path segments of the pages in this section.
    prefixes: tuple[str, ...]
    # Who sees it in the menu (everyone signed in when None).
    shown_to: Callable | None = None


SECTIONS = (
    Section("home", "Dashboard", "home", ()),
    Section(
        "appropriations",
        "Appropriations",
        "grants:appropriation_list",
        ("appropriations", "fiscal-years", "exports"),
        access.can_view_program,
    ),
    Section(
        "allocations",
        "Allocations",
        "allocations:run_list",
        ("allocations",),
        access.can_view_program,
    ),
    Section("task_forces", "Task forces", "grants:task_force_list", ("task-forces", "recipients")),
    Section("awards", "Awards", "grants:award_list", ("awards",)),
    Section("drawdowns", "Drawdowns", "budgets:drawdown_queue", ("drawdowns",)),
    Section("amendments", "Amendments", "amendments:list", ("amendments",)),
    Section("budget_changes", "Budget changes", "modifications:list", ("budget-changes",)),
    Section("reports", "Reports due", "reports:calendar", ("reports",)),
    # Risk, conditions and monitoring, and beside them single audits, subawards and
    # SAM.gov: one entry, so the program office's menu fits one line at 1280 px.
    Section("oversight", "Oversight", "oversight:overview", ("oversight", "compliance")),
    Section(
        "access_review",
        "Access review",
        "accounts:access_review",
        ("access-review",),
        access.can_review_access,
    ),
)

# What each page below a section is called in its breadcrumbs. A section's own list
# page is the section; an object's main page is the object.
PAGE_LABELS = {
    "grants:search": "Search",
    "grants:appropriation_create": "New appropriation",
    "grants:indirect_rates": "Indirect cost rates",
    "budgets:award_create": "New award",
    "budgets:award_ledger": "Ledger",
    "budgets:entry_create": "New ledger entry",
    "budgets:entry_reverse": "Reverse an entry",
    "budgets:drawdown_create": "Request a drawdown",
    "modifications:propose": "Propose a budget modification",
    "modifications:pre_award": "Pre-award budget",
    "modifications:supplement": "Propose a supplement",
    "modifications:decrease": "Propose a decrease",
    "modifications:terms": "Terms",
    "modifications:detail": "Budget change",
    "grants:award_transition": "Change of status",
    "amendments:extension": "No-cost extension",
    "amendments:administrative": "Administrative change",
    "amendments:match_change": "Match change",
    "reports:award_reports": "Reports",
    "reports:sf425_detail": "SF-425",
    "reports:progress_detail": "Progress report",
    "reports:report_detail": "Report",
    "reports:report_html": "Report document",
    "exports:sf425_html": "SF-425 document",
    "exports:progress_html": "Progress report document",
    "exports:award_html": "Award document",
    "exports:amendment_html": "Amendment notice",
    "exports:program_summary_html": "Program summary",
    "reports:measures": "Performance measures",
    "reports:award_charts": "Charts",
    "reports:program_charts": "The program in charts",
    "reports:calendar_feed_settings": "Calendar subscription",
    "reports:reminders": "Reminders sent",
    "compliance:index": "Audits, subrecipients and SAM.gov",
    "documents:parent": "Documents",
    "compliance:recipient_detail": "Recipient",
    "compliance:audit_detail": "Single audit",
    "compliance:sefa": "Schedule of expenditures",
    "compliance:subrecipient_detail": "Subrecipient",
    "compliance:award_subawards": "Subawards",
    "compliance:subaward_detail": "Subaward",
    "compliance:award_equipment": "Equipment",
    "compliance:equipment_detail": "Equipment item",
    "oversight:award": "Oversight",
    "oversight:review_create": "New risk review",
    "oversight:review_detail": "Risk review",
    "allocations:run_create": "New scenario",
    "allocations:compare": "Compare scenarios",
    "allocations:factor_list": "Factor data",
    "allocations:factor_import": "Import factor data",
    "allocations:factor_edit": "Edit factor data",
    "allocations:run_detail": "Scenario",
    "api_tokens:list": "API tokens",
    "budgets:history_import": "Import award history",
    "budgets:history_import_review": "Check the past awards",
    "budgets:ledger_import": "Import ledger entries",
    "budgets:ledger_import_review": "Review the import",
    "budgets:asap_payment_import": "Import ASAP payments",
    "budgets:asap_payment_review": "Check the payments",
    "accounts:account": "Your account",
    "accounts:password_change": "Change your password",
    "accounts:password_change_done": "Password changed",
    "accounts:password_reset": "Reset your password",
    "accounts:password_reset_done": "Reset your password",
    "accounts:password_reset_confirm": "Choose a new password",
    "accounts:password_reset_complete": "Password reset",
    "mfa:manage": "Sign-in security",
    "mfa:enrol": "Add a second factor",
    "mfa:enrol_totp": "Authenticator app",
    "mfa:enrol_passkey": "Passkey",
    "mfa:recovery_codes": "Recovery codes",
    "mfa:verify": "Second factor",
}


def menu(user) -> list[Section]:
    """The sections the person's menu shows."""
    return [section for section in SECTIONS if section.shown_to is None or section.shown_to(user)]


def section_of(path: str) -> Section | None:
    """The section a page's path belongs to: the longest matching prefix wins."""
    path = path.strip("/")
    if not path:
        return SECTIONS[0]
    best, length = None, 0
    for section in SECTIONS:
        for prefix in section.prefixes:
            if (path == prefix or path.startswith(prefix + "/")) and len(prefix) > length:
                best, length = section, len(prefix)
    return best


def breadcrumbs(request) -> tuple[list[tuple[str, str]], str]:
    """The trail above the page, as (label, url) pairs, and the page's own label; no
    trail on the home page, the sign-in page or a page the URLs do not know."""
    match = request.resolver_match
    if match is None or match.view_name in ("home", "login"):
        return [], ""
    name, kwargs = match.view_name, match.kwargs
    trail = [("Home", reverse("home"))]
    section = section_of(request.path)
    if section is not None and section.url_name != "home":
        if name == section.url_name:
            return trail, section.label
        trail.append((section.label, reverse(section.url_name)))
    if "award_number" in kwargs:
        if name == "grants:award_detail":
            return trail, kwargs["award_number"]
        trail.append(
            (kwargs["award_number"], reverse("grants:award_detail", args=[kwargs["award_number"]]))
        )
    elif name == "grants:task_force_detail":
        return trail, _task_force_name(request.user, kwargs["code"])
    elif name == "grants:appropriation_detail":
        return trail, f"Appropriation {kwargs['pk']}"
    return trail, PAGE_LABELS.get(name, "")


def _task_force_name(user, code: str) -> str:
    """The task force's name, as people know it; its code where the person may not see
    it (the page is then a 404, whose trail must not name another task force)."""
    names = selectors.task_force_list_for_user(user=user).filter(code=code)
    return names.values_list("name", flat=True).first() or code
