"""Counting in calendar months: the one way every rule moves a date on by months.

A deadline counted in months from the end of a period or a fiscal year keeps the month's
end: a period ending September 30 extended three months ends December 31, and a fiscal
year ending June 30 has its single audit due nine months later on March 31, as the
Federal Audit Clearinghouse counts (docs/rules/award-lifecycle-and-budgets.md,
docs/rules/compliance.md). An anniversary counted in years keeps the day instead:
records kept three years from February 28, 2025 are kept to February 28, 2028, not the
29th (`keep_month_end=False`).
"""

from calendar import monthrange
from datetime import date


def add_months(day: date, months: int, *, keep_month_end: bool = True) -> date:
    """`day` moved `months` months on. The last day of a month stays the last day (unless
    `keep_month_end` is False); another day keeps its number, or becomes the month's last
    day if the month is shorter (January 31 + 1 month is February 28, or 29)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    last = monthrange(year, month)[1]
    if keep_month_end and day.day == monthrange(day.year, day.month)[1]:
        return date(year, month, last)
    return date(year, month, min(day.day, last))


def add_years(day: date, years: int) -> date:
    """The anniversary `years` on: the same day, or February 28 for February 29."""
    return add_months(day, 12 * years, keep_month_end=False)
