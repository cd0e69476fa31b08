"""The records a document can be attached to, declared once: how to find one as far as
a person may read it, who may attach to it besides the program office, what to call it
and where its page is. Pages, the service and the evidence pack read this registry."""

from collections.abc import Callable
from dataclasses import dataclass

from django.db import models
from django.urls import reverse

from budgets.models import BudgetModification
from budgets.selectors import budget_change_list_for_user
from grants import access, selectors
from grants.models import Amendment, Award
from reports import report_types
from reports.calendar import report_url
from reports.models import FinancialReport, ProgressReport
from reports.report_types import FINANCIAL_REPORT, PROGRESS_REPORT
from reports.selectors import reports_for_user


@dataclass(frozen=True)
class ParentKind:
    key: str  # in URLs
    model: type[models.Model]
    field: str  # the Attachment field pointing at it ("award" for the award itself)
    label: str
    readable: Callable[..., models.QuerySet]  # readable(user) -> the records they may read
    acts_on: Callable[..., bool]  # acts_on(user, award): files, proposes, requests it
    award_of: Callable[[models.Model], Award]
    page: Callable[[models.Model], str]
    title: Callable[[models.Model], str]


def _report_page(report) -> str:
    kind = report_types.for_model(type(report)).key
    return report_url(report.award.award_number, kind, report.period_end)


KINDS = (
    ParentKind(
        key="award",
        model=Award,
        field="award",
        label="Award",
        readable=lambda user: selectors.award_list_for_user(user=user),
        acts_on=lambda user, award: (
            access.can_record_spending(user, award) or access.can_accept_award(user, award)
        ),
        award_of=lambda award: award,
        page=lambda award: award.get_absolute_url(),
        title=lambda award: f"Award {award.award_number}",
    ),
    ParentKind(
        key="sf425",
        model=FinancialReport,
        field="financial_report",
        label="SF-425",
        readable=lambda user: reports_for_user(user=user, report_type=FINANCIAL_REPORT),
        acts_on=FINANCIAL_REPORT.may_file,
        award_of=lambda report: report.award,
        page=_report_page,
        title=lambda report: f"SF-425 for the period ending {report.period_end:%m/%d/%Y}",
    ),
    ParentKind(
        key="progress",
        model=ProgressReport,
        field="progress_report",
        label="Progress report",
        readable=lambda user: reports_for_user(user=user, report_type=PROGRESS_REPORT),
        acts_on=PROGRESS_REPORT.may_file,
        award_of=lambda report: report.award,
        page=_report_page,
        title=lambda report: f"Progress report for the period ending {report.period_end:%m/%d/%Y}",
    ),
    ParentKind(
        key="budget-change",
        model=BudgetModification,
        field="budget_modification",
        label="Budget change",
        readable=lambda user: budget_change_list_for_user(user=user),
        acts_on=access.can_propose_budget_modification,
        award_of=lambda modification: modification.award,
        page=lambda modification: reverse("modifications:detail", args=[modification.pk]),
        title=str,
    ),
    ParentKind(
        key="amendment",
        model=Amendment,
        field="amendment",
        label="Amendment",
        readable=lambda user: selectors.amendment_list_for_user(user=user),
        acts_on=access.can_request_extension,
        award_of=lambda amendment: amendment.award,
        page=lambda amendment: reverse("amendments:list"),
        title=lambda amendment: f"Amendment {amendment.number} ({amendment.get_kind_display()})",
    ),
)
BY_KEY = {kind.key: kind for kind in KINDS}
BY_FIELD = {kind.field: kind for kind in KINDS}


def kind_of(obj: models.Model) -> ParentKind:
    for kind in KINDS:
        if type(obj) is kind.model:
            return kind
    raise LookupError(f"Nothing is attached to a {type(obj).__name__}.")


def may_attach(user, kind: ParentKind, award: Award) -> bool:
    return access.can_attach_documents(user, acts_on_parent=kind.acts_on(user, award))
