"""The date arithmetic of the compliance rules (docs/rules/compliance.md). The numbers
(days, months, years, thresholds) are dated rule values; these functions only count."""

from calendar import monthrange
from datetime import date

from grants.months import add_months


def end_of_month(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def end_of_next_month(day: date) -> date:
    """FFATA: by the end of the month after the month of `day`."""
    return end_of_month(add_months(day.replace(day=1), 1))
