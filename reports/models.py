"""Mandated reports as filed: the SF-425 with the numbers certified, progress reports
with the ICAC performance measures, and the reminders sent about them."""

import secrets
import uuid

import pgtrigger
from django.conf import settings
from django.db import models
from django.db.models import Q

from grants import protected
from grants.models import Award


class ReviewStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    RETURNED = "returned", "Returned for correction"
    ACCEPTED = "accepted", "Accepted"


# Submitted or accepted: the report counts as filed.
FILED_IN = (ReviewStatus.SUBMITTED, ReviewStatus.ACCEPTED)


class FiledReport(models.Model):
    """What both report kinds share: one per award and period, a review workflow."""

    Status = ReviewStatus

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="+")
    period_end = models.DateField()
    is_final = models.BooleanField(default=False)
    status = models.CharField(max_length=10, choices=ReviewStatus.choices)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField()
    submissions = models.PositiveSmallIntegerField(default=1)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_comment = models.TextField(blank=True)

    class Meta:
        abstract = True

    @property
    def is_in(self) -> bool:
        """Submitted or accepted: the report counts as filed."""
        return self.status in FILED_IN

    @property
    def is_returned(self) -> bool:
        """Returned for correction: due again until it is filed anew."""
        return self.status == ReviewStatus.RETURNED


# What the certifier signed: fixed once submitted, until the report is returned for
# correction and certified again.
CERTIFIED_FIELDS = (
    "award",
    "period_end",
    "is_final",
    "submitted_by",
    "submitted_at",
    "submissions",
    "lines",
    "remarks",
    "certifier_name",
    "certifier_title",
    "certifier_phone",
    "certifier_email",
)


class FinancialReport(FiledReport):
    """An SF-425 as certified. `lines` keeps the numbers the ledger gave at submission;
    they are never recomputed, so later entries dated into the period show as a variance."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="financial_reports")
    lines = models.JSONField(
        help_text="SF-425 lines 10a–10o and 11 as certified, amounts as strings."
    )
    remarks = models.TextField(blank=True, max_length=2000)
    certifier_name = models.CharField(max_length=200)
    certifier_title = models.CharField(max_length=200)
    certifier_phone = models.CharField(max_length=40)
    certifier_email = models.EmailField()

    class Meta:
        ordering = ["award", "period_end"]
        triggers = [
            protected.never_deleted("sf425_never_deleted"),
            protected.refuse_update(
                "sf425_certified_lines_fixed",
                ~pgtrigger.Q(old__status=ReviewStatus.RETURNED)
                & protected.changed(*CERTIFIED_FIELDS),
            ),
            protected.refuse_update(
                "sf425_accepted_is_final",
                pgtrigger.Condition(
                    f"OLD.status = '{ReviewStatus.ACCEPTED}' AND OLD.* IS DISTINCT FROM NEW.*"
                ),
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "period_end"], name="reports_sf425_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="reports_sf425_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"SF-425 {self.award} period ending {self.period_end:%m/%d/%Y}"


MEASURES = [
    # field name, label (docs/rules/reporting-deadlines.md#icac-performance-measures)
    ("complaints_received", "Complaints received"),
    ("cybertips_received", "CyberTipline reports received"),
    ("investigations_opened", "Investigations opened"),
    ("arrests", "Arrests"),
    ("search_warrants", "Search warrants and subpoenas"),
    ("forensic_exams", "Forensic examinations completed"),
    ("cases_referred", "Cases referred for prosecution"),
    ("cases_prosecuted", "Cases prosecuted"),
    ("children_identified", "Child victims identified"),
    ("technical_assistance", "Technical assistance sessions to other agencies"),
    ("trainings", "Trainings delivered"),
    ("training_attendees", "Training attendees"),
    ("outreach_events", "Community outreach events"),
    ("outreach_attendees", "Outreach attendees"),
    ("investigators", "Investigators"),
    ("prosecutors", "Prosecutors"),
    ("forensic_examiners", "Forensic examiners"),
    ("education_specialists", "Education specialists"),
    ("affiliate_agencies", "Affiliate agencies"),
]


class ProgressReport(FiledReport):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="progress_reports")
    accomplishments = models.TextField()
    challenges = models.TextField(blank=True)
    next_steps = models.TextField(blank=True)
    complaints_received = models.PositiveIntegerField()
    cybertips_received = models.PositiveIntegerField()
    investigations_opened = models.PositiveIntegerField()
    arrests = models.PositiveIntegerField()
    search_warrants = models.PositiveIntegerField()
    forensic_exams = models.PositiveIntegerField()
    cases_referred = models.PositiveIntegerField()
    cases_prosecuted = models.PositiveIntegerField()
    children_identified = models.PositiveIntegerField()
    technical_assistance = models.PositiveIntegerField()
    trainings = models.PositiveIntegerField()
    training_attendees = models.PositiveIntegerField()
    outreach_events = models.PositiveIntegerField()
    outreach_attendees = models.PositiveIntegerField()
    investigators = models.PositiveIntegerField()
    prosecutors = models.PositiveIntegerField()
    forensic_examiners = models.PositiveIntegerField()
    education_specialists = models.PositiveIntegerField()
    affiliate_agencies = models.PositiveIntegerField()

    class Meta:
        ordering = ["award", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "period_end"], name="reports_progress_one_per_period"
            ),
            models.CheckConstraint(
                condition=Q(status__in=ReviewStatus.values), name="reports_progress_status_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"Progress report {self.award} period ending {self.period_end:%m/%d/%Y}"


# What a progress-report draft holds: the filing form's fields, by name.
NARRATIVE = ("accomplishments", "challenges", "next_steps")
DRAFT_FIELDS = (*NARRATIVE, *(name for name, _ in MEASURES))


class ProgressDraft(models.Model):
    """A progress report being written: what the task force has typed so far, kept apart
    from ProgressReport (whose fields are all required and which only exists once filed),
    one per award and period. `data` holds the form's fields by name (DRAFT_FIELDS): the
    narrative as text, each measure a whole number or null while not yet counted. Filing
    the report deletes its draft."""

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="progress_drafts")
    period_end = models.DateField()
    data = models.JSONField(default=dict)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    updated_at = models.DateTimeField()

    class Meta:
        ordering = ["award", "period_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["award", "period_end"], name="reports_progress_draft_one_per_period"
            ),
        ]

    def __str__(self) -> str:
        return f"Progress report draft {self.award} period ending {self.period_end:%m/%d/%Y}"


class ReportComment(models.Model):
    """One comment of a report's thread. The thread starts when the program office
    returns the report for correction (the return's reason is its first comment, marked
    `starts_return`); the task force answers and either side writes further comments.
    A comment is never edited or deleted."""

    financial_report = models.ForeignKey(
        FinancialReport, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    progress_report = models.ForeignKey(
        ProgressReport, on_delete=models.PROTECT, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    written_at = models.DateTimeField()
    body = models.TextField(max_length=4000)
    starts_return = models.BooleanField(
        default=False, help_text="The reason the report was returned for correction."
    )

    class Meta:
        ordering = ["written_at", "pk"]
        triggers = [protected.append_only("report_comment_append_only")]
        constraints = [
            models.CheckConstraint(
                condition=Q(financial_report__isnull=True, progress_report__isnull=False)
                | Q(financial_report__isnull=False, progress_report__isnull=True),
                name="reports_comment_one_report",
            ),
        ]

    def __str__(self) -> str:
        return f"Comment by {self.author} on {self.financial_report or self.progress_report}"


# Which ReportComment field points at a report of each model.
COMMENT_FIELDS = {FinancialReport: "financial_report", ProgressReport: "progress_report"}


class Reminder(models.Model):
    """A reminder sent about a report, so none is sent twice."""

    class Stage(models.TextChoices):
        DAYS_14 = "14_days", "14 days before"
        DAYS_7 = "7_days", "7 days before"
        DUE = "due", "On the due date"
        OVERDUE = "overdue", "Overdue"

    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="reminders")
    report_key = models.CharField(max_length=40)
    stage = models.CharField(max_length=10, choices=Stage.choices)
    sent_on = models.DateField()
    recipients = models.TextField()
    subject = models.CharField(max_length=300)

    class Meta:
        ordering = ["-sent_on", "award"]
        constraints = [
            # Before and on the due date, one reminder per stage; overdue, one a day.
            models.UniqueConstraint(
                fields=["award", "report_key", "stage"],
                condition=~Q(stage="overdue"),
                name="reports_reminder_once_per_stage",
            ),
            models.UniqueConstraint(
                fields=["award", "report_key", "sent_on"],
                condition=Q(stage="overdue"),
                name="reports_reminder_overdue_once_a_day",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject} ({self.sent_on})"


def new_feed_token() -> str:
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """A person's private iCalendar address."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed"
    )
    token = models.CharField(max_length=64, unique=True, default=new_feed_token)

    def __str__(self) -> str:
        return f"Calendar feed of {self.user}"


class PreparedDownload(models.Model):
    """A large file (the whole program's auditor workbook, an evidence pack, the program
    summary) that a background worker prepares for one person (reports/prepared.py).

    The file is kept in the default storage under `storage_name` until `expires_on`,
    when the daily duties delete it. Only its owner may see it or fetch it."""

    class Kind(models.TextChoices):
        WORKBOOK = "workbook", "Auditor workbook"
        LEDGER_CSV = "ledger_csv", "Ledger (CSV)"
        PACK = "pack", "Evidence pack"
        SUMMARY = "summary", "Program summary"

    class Status(models.TextChoices):
        QUEUED = "queued", "Waiting for a worker"
        RUNNING = "running", "Being prepared"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    # What was asked for: {"fiscal_year": 2025} or {"task_force": "va-alpha"}, as the
    # selection's keys; read again through the owner's scope when the file is written.
    selection = models.JSONField(default=dict)
    label = models.CharField(max_length=200)
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.QUEUED)
    rows_done = models.PositiveBigIntegerField(default=0)
    rows_total = models.PositiveBigIntegerField(null=True, blank=True)
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    filename = models.CharField(max_length=200, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    storage_name = models.CharField(max_length=300, blank=True)
    size = models.PositiveBigIntegerField(null=True, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)
    expires_on = models.DateField(null=True, blank=True)
    error = models.TextField(blank=True)
    # The worker writing it (db_worker's worker id): when that worker's heartbeat stops,
    # the download is marked failed instead of staying "being prepared" (reports.workers).
    worker_id = models.CharField(max_length=64, blank=True)
    # The download whose run writes this file (itself, or another's that this one shares:
    # reports.prepared), set when a run takes it; and the moment that run read its data.
    run = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    data_as_of = models.DateTimeField(null=True, blank=True)
    # The task queue it was sent to (reports.prepared.queue_of), by its size.
    queue = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-requested_at"]
        indexes = [
            models.Index(fields=["owner", "-requested_at"]),
            models.Index(fields=["expires_on"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="ready") | (~Q(sha256="") & ~Q(storage_name="")),
                name="prepared_download_ready_has_file",
            )
        ]

    # Set on a download its pages show (reports.prepared.as_shown) when the worker it
    # waits for is no longer alive: shown failed until a sweep records it; never saved.
    abandoned = False

    def __str__(self) -> str:
        return f"{self.label} for {self.owner}"

    @property
    def is_finished(self) -> bool:
        return self.abandoned or self.status in (self.Status.READY, self.Status.FAILED)

    @property
    def percent(self) -> int:
        if self.status == self.Status.READY:
            return 100
        if not self.rows_total:
            return 0
        return min(99, self.rows_done * 100 // self.rows_total)


class WorkerHeartbeat(models.Model):
    """A background worker (`manage.py db_worker`) that is alive: it updates `beat_at`
    every few seconds while it runs (reports/workers.py), and deletes its row when it
    stops. /readyz reports whether one has beaten recently (and fails on it with
    ?worker=1, config/health.py); host, process and start say which worker it is."""

    worker_id = models.CharField(max_length=64, unique=True)
    hostname = models.CharField(max_length=255)
    pid = models.PositiveIntegerField()
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)
    # The queues of settings.TASKS it takes, comma-separated ("default,large"), so a
    # queue no live worker takes is told apart from one whose workers are busy.
    queues = models.CharField(max_length=200, default="")

    def __str__(self) -> str:
        return f"Worker {self.worker_id} on {self.hostname} (pid {self.pid})"
