"""Counting in months (grants.months): a deadline counted from a month's end keeps the
month's end; an anniversary in years keeps the day."""

from datetime import date

import pytest

from grants.months import add_months, add_years


@pytest.mark.parametrize(
    "day, months, month_end_kept",
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2028, 1, 31), 1, date(2028, 2, 29)),
        (date(2027, 2, 28), 1, date(2027, 3, 31)),  # February's end: March's end
        (date(2028, 2, 29), 1, date(2028, 3, 31)),
        (date(2027, 2, 28), 12, date(2028, 2, 29)),
        (date(2026, 9, 30), 3, date(2026, 12, 31)),  # an extension of a period's end
        (date(2025, 6, 30), 9, date(2026, 3, 31)),  # a single audit's due date
        (date(2026, 9, 30), 12, date(2027, 9, 30)),
        (date(2027, 11, 30), 3, date(2028, 2, 29)),
        (date(2027, 1, 15), 1, date(2027, 2, 15)),
        (date(2027, 3, 31), -1, date(2027, 2, 28)),
    ],
)
def test_a_month_s_end_stays_the_month_s_end(day, months, month_end_kept):
    assert add_months(day, months) == month_end_kept


@pytest.mark.parametrize(
    "day, months, same_day",
    [
        (date(2027, 1, 31), 1, date(2027, 2, 28)),
        (date(2027, 2, 28), 1, date(2027, 3, 28)),
        (date(2026, 9, 30), 3, date(2026, 12, 30)),
        (date(2027, 2, 28), 12, date(2028, 2, 28)),
    ],
)
def test_without_the_month_end_the_day_is_kept(day, months, same_day):
    assert add_months(day, months, keep_month_end=False) == same_day


def test_an_anniversary_keeps_the_day():
    assert add_years(date(2025, 2, 28), 3) == date(2028, 2, 28)
    assert add_years(date(2028, 2, 29), 3) == date(2031, 2, 28)
    assert add_years(date(2025, 9, 30), 3) == date(2028, 9, 30)
