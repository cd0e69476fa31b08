from datetime import date

from grants.models import Award
from reports.calendar import reporting_calendar


def _calendar(start, end):
    return [
        (r.kind, r.period_end, r.due_on, r.is_final)
        for r in reporting_calendar(Award(period_start=start, period_end=end))
    ]


def test_full_award_period_of_domain_example_7_4(db):
    rows = _calendar(date(2023, 10, 1), date(2025, 9, 30))
    sf425 = [(end, due) for kind, end, due, final in rows if kind == "sf425" and not final]
    assert sf425 == [
        (date(2023, 12, 31), date(2024, 1, 30)),
        (date(2024, 3, 31), date(2024, 4, 30)),
        (date(2024, 6, 30), date(2024, 7, 30)),
        (date(2024, 9, 30), date(2024, 10, 30)),
        (date(2024, 12, 31), date(2025, 1, 30)),
        (date(2025, 3, 31), date(2025, 4, 30)),
        (date(2025, 6, 30), date(2025, 7, 30)),
    ]
    progress = [(end, due) for kind, end, due, final in rows if kind == "progress" and not final]
    assert progress == [
        (date(2023, 12, 31), date(2024, 1, 30)),
        (date(2024, 6, 30), date(2024, 7, 30)),
        (date(2024, 12, 31), date(2025, 1, 30)),
        (date(2025, 6, 30), date(2025, 7, 30)),
    ]
    finals = [(kind, end, due) for kind, end, due, final in rows if final]
    assert finals == [
        ("sf425", date(2025, 9, 30), date(2026, 1, 28)),
        ("progress", date(2025, 9, 30), date(2026, 1, 28)),
    ]


def test_final_due_date_counts_a_leap_day(db):
    # 120 days after 2023-11-01 crosses February 2024, which has 29 days.
    finals = [due for _, _, due, final in _calendar(date(2022, 11, 1), date(2023, 11, 1)) if final]
    assert finals == [date(2024, 2, 29), date(2024, 2, 29)]
    finals = [due for _, _, due, final in _calendar(date(2022, 11, 1), date(2022, 11, 2)) if final]
    assert finals == [date(2023, 3, 2), date(2023, 3, 2)]


def test_an_extension_extends_the_calendar(db):
    before = _calendar(date(2024, 10, 1), date(2025, 9, 30))
    after = _calendar(date(2024, 10, 1), date(2026, 3, 31))
    assert len(after) - len(before) == 3  # two more quarters and one more half-year
    assert [due for kind, _, due, final in after if final] == [date(2026, 7, 29), date(2026, 7, 29)]
