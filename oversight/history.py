"""A recipient's history of performance (2 CFR 200.206(b)(2)(ii)) as this system recorded
it: holds placed on its awards for late reports, for cash held too long and by program
staff, and reports returned for correction, over the lookback before the review
(docs/rules/oversight.md#history-of-performance)."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from grants.audit import AuditEvent
from grants.models import Hold, Recipient
from reports import report_types

LOOKBACK_YEARS = 3


@dataclass(frozen=True)
class History:
    history_from: date
    late_reports: int
    excess_cash_holds: int
    program_holds: int
    returned_reports: int


def lookback_start(reviewed_on: date) -> date:
    # February 29 three years back does not exist: the day after February 28.
    try:
        return reviewed_on.replace(year=reviewed_on.year - LOOKBACK_YEARS)
    except ValueError:
        return reviewed_on.replace(year=reviewed_on.year - LOOKBACK_YEARS, day=28) + timedelta(
            days=1
        )


def _moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min))


def history_of_performance(recipient: Recipient, *, reviewed_on: date) -> History:
    start = lookback_start(reviewed_on)
    window = {"gte": _moment(start), "lt": _moment(reviewed_on + timedelta(days=1))}
    holds = Hold.objects.filter(
        award__recipient=recipient,
        placed_at__gte=window["gte"],
        placed_at__lt=window["lt"],
    )

    def count(cause: str) -> int:
        return holds.filter(cause=cause).count()

    returned = 0
    for model in {report_type.model for report_type in report_types.all_types()}:
        ids = [
            str(pk)
            for pk in model.objects.filter(award__recipient=recipient).values_list("pk", flat=True)
        ]
        if not ids:
            continue
        returned += AuditEvent.objects.filter(
            content_type=ContentType.objects.get_for_model(model),
            object_id__in=ids,
            action__endswith=".returned",
            occurred_at__gte=window["gte"],
            occurred_at__lt=window["lt"],
        ).count()
    return History(
        history_from=start,
        late_reports=count(Hold.Cause.LATE_REPORT),
        excess_cash_holds=count(Hold.Cause.EXCESS_CASH),
        program_holds=count(Hold.Cause.PROGRAM),
        returned_reports=returned,
    )
