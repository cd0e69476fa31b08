"""Documents attached to an award, a filed report, a budget change or an amendment.

The file itself lives in the default storage (settings.STORAGES), under a name the app
makes up; the row keeps the name it was uploaded as, its type as its content showed, its
size and its SHA-256, so a copy anyone holds can be matched to the upload. An attachment
is never edited: the row and the file stay as they were uploaded.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q

from budgets.models import BudgetModification
from documents.parents import BY_FIELD
from grants import protected
from grants.models import Amendment, Award
from reports.models import FinancialReport, ProgressReport

# The record an attachment belongs to besides its award; none for the award itself.
PARENT_FIELDS = ("financial_report", "progress_report", "budget_modification", "amendment")


def _at_most_one_parent() -> Q:
    none = {f"{field}__isnull": True for field in PARENT_FIELDS}
    allowed = Q(**none)
    for field in PARENT_FIELDS:
        allowed |= Q(**{**none, f"{field}__isnull": False})
    return allowed


class Attachment(models.Model):
    award = models.ForeignKey(Award, on_delete=models.PROTECT, related_name="attachments")
    financial_report = models.ForeignKey(
        FinancialReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    progress_report = models.ForeignKey(
        ProgressReport, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    budget_modification = models.ForeignKey(
        BudgetModification, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    amendment = models.ForeignKey(
        Amendment, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    file = models.FileField(max_length=200)
    name = models.CharField(max_length=200, help_text="The file's name as it was uploaded.")
    kind = models.CharField(max_length=10, help_text="What its content is: pdf, xlsx, docx...")
    content_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField()

    class Meta:
        ordering = ["award", "uploaded_at", "pk"]
        triggers = [protected.append_only("attachment_append_only")]
        constraints = [
            models.CheckConstraint(
                condition=_at_most_one_parent(), name="documents_attachment_one_parent"
            ),
            models.CheckConstraint(condition=Q(size__gt=0), name="documents_attachment_not_empty"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.award})"

    @property
    def parent_field(self) -> str:
        """Which record it is attached to: a PARENT_FIELDS name, or "award"."""
        for field in PARENT_FIELDS:
            if getattr(self, f"{field}_id") is not None:
                return field
        return "award"

    @property
    def attached_to(self) -> str:
        kind = BY_FIELD[self.parent_field]
        if kind.field == "award":
            return kind.label
        return kind.title(getattr(self, kind.field))
