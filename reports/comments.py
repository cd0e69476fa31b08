"""A returned report's thread: the program office's reason for returning it starts the
thread (`report_review`), the task force answers, and either side comments further.
Each comment is an audit event; none is edited or deleted."""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from grants import access
from grants.audit import audit_record
from grants.duties import lock_award
from reports import report_types
from reports.models import COMMENT_FIELDS, FiledReport, ReportComment

MAX_LENGTH = 4000


def thread_of(report: FiledReport) -> QuerySet[ReportComment]:
    """The report's comments, oldest first; none for a report type without a thread."""
    field = COMMENT_FIELDS.get(type(report))
    if field is None or report.pk is None:
        return ReportComment.objects.none()
    return ReportComment.objects.filter(**{field: report}).select_related("author")


def may_comment(user, report: FiledReport) -> bool:
    """A thread is open once the report has been returned; the reviewers and the task
    force's staff who file the report write in it."""
    files_it = report_types.for_model(type(report)).may_file(user, report.award)
    return (
        type(report) in COMMENT_FIELDS
        and access.can_discuss_report(user, files_it=files_it)
        and thread_of(report).exists()
    )


def start_thread(*, actor, report: FiledReport, reason: str) -> ReportComment | None:
    """The return's reason as the thread's first comment (the return's own audit event
    records it), inside `report_review`'s transaction."""
    field = COMMENT_FIELDS.get(type(report))
    if field is None:
        return None
    return ReportComment.objects.create(
        **{field: report},
        author=actor,
        written_at=timezone.now(),
        body=reason,
        starts_return=True,
    )


@transaction.atomic
def comment_add(*, actor, report: FiledReport, body: str) -> ReportComment:
    lock_award(report.award_id)
    report = type(report).objects.select_related("award__task_force").get(pk=report.pk)
    access.require(
        may_comment(actor, report),
        "Only the program managers and the task force's staff who file this report comment "
        "on it, once it has been returned.",
    )
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": "Write the comment."})
    if len(body) > MAX_LENGTH:
        raise ValidationError(
            {"body": f"A comment is at most {MAX_LENGTH:,} characters; this one has {len(body):,}."}
        )
    comment = ReportComment.objects.create(
        **{COMMENT_FIELDS[type(report)]: report},
        author=actor,
        written_at=timezone.now(),
        body=body,
    )
    kind = report_types.for_model(type(report)).key
    audit_record(
        actor=actor,
        action=f"reports.{kind}.commented",
        obj=report,
        task_force=report.award.task_force,
        data={"comment": comment.pk, "body": body, "status": report.status},
    )
    return comment
