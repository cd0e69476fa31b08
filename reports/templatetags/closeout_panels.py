"""The closeout panel the award page (grants) shows without importing this app: where
the award stands in its closeout time, whether it was flagged for unilateral closeout,
and until when its records are kept."""

from datetime import date, timedelta

from django import template
from django.utils import timezone

from grants.models import Award
from grants.selectors import rule_value
from reports.closeout_clock import (
    closeout_day,
    closeout_days,
    closeout_due,
    final_sf425_submitted_on,
    records_retained_until,
)

register = template.Library()

SHOWN_FROM = (Award.Status.ACTIVE, Award.Status.IN_CLOSEOUT, Award.Status.CLOSED)


@register.inclusion_tag("reports/_closeout_panel.html")
def closeout_panel(award: Award, today: date | None = None):
    today = today or timezone.localdate()
    if award.status not in SHOWN_FROM:
        return {"shown": False}
    submitted_on = final_sf425_submitted_on(award)
    return {
        "shown": True,
        "award": award,
        "today": today,
        "starts_on": award.period_end + timedelta(days=1),
        "day": closeout_day(award, today),
        "days": closeout_days(award),
        "due": closeout_due(award),
        "final_submitted_on": submitted_on,
        "retained_until": records_retained_until(submitted_on),
        "retention_years": int(rule_value("record_retention_years", on=today)),
    }
