"""The date arithmetic of the compliance rules (docs/rules/compliance.md). The numbers
(days, months, years, thresholds) are dated rule values; these functions only count."""

from calendar import monthrange
from datetime import date


def add_months(day: date, months: int) -> date:
    """`day` moved `months` months on. The last day of a month stays the last day (June 30
    + 9 months is March 31, as the Federal Audit Clearinghouse counts a due date); another
    day keeps its number, or the month's last day if the month is shorter."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = monthrange(year, month)[1]
    if day.day == monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def end_of_month(day: date) -> date:
    return day.replace(day=monthrange(day.year, day.month)[1])


def end_of_next_month(day: date) -> date:
    """FFATA: by the end of the month after the month of `day`."""
    return end_of_month(add_months(day.replace(day=1), 1))
