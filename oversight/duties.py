"""The oversight app's daily duty, run at the end of send_reminders (through
reports.daily_duties): the lines that tell program staff what is overdue."""

from datetime import date

from oversight import selectors


def run_daily(today: date) -> list[str]:
    """Overdue corrective action plans, special conditions past their clear-by date and
    monitoring planned before today and not recorded: for each kind with any, a count and
    one line each. Nothing when nothing is overdue."""
    sections = [
        (
            "Corrective action plans overdue",
            [
                f"{f.award.award_number}: finding {f.pk}, plan due {f.cap_due_on:%m/%d/%Y}"
                for f in selectors.overdue_corrective_actions(today=today)
            ],
        ),
        (
            "Special conditions past their clear-by date",
            [
                f"{c.award.award_number}: condition {c.number}, clear by {c.clear_by:%m/%d/%Y}"
                for c in selectors.overdue_conditions(today=today)
            ],
        ),
        (
            "Monitoring not recorded after its planned date",
            [
                f"{a.award.award_number}: {a.get_kind_display().lower()} planned {a.planned_on:%m/%d/%Y}"
                for a in selectors.overdue_activities(today=today)
            ],
        ),
    ]
    lines = []
    for title, items in sections:
        if items:
            lines.append(f"{title}: {len(items)}")
            lines += [f"  {item}" for item in items]
    return lines
