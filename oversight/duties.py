"""The oversight app's daily duty, run at the end of send_reminders (through
reports.daily_duties): the lines that tell program staff what is overdue."""

from datetime import date

from oversight import selectors


def run_daily(today: date) -> list[str]:
    """Overdue corrective action plans, special conditions past their clear-by date and
    monitoring planned before today and not recorded, one line each, after a count."""
    findings = list(selectors.overdue_corrective_actions(today=today))
    conditions = list(selectors.overdue_conditions(today=today))
    activities = list(selectors.overdue_activities(today=today))
    lines = [f"Corrective action plans overdue: {len(findings)}"]
    lines += [
        f"  {f.award.award_number}: finding {f.pk}, plan due {f.cap_due_on:%m/%d/%Y}"
        for f in findings
    ]
    lines.append(f"Special conditions past their clear-by date: {len(conditions)}")
    lines += [
        f"  {c.award.award_number}: condition {c.number}, clear by {c.clear_by:%m/%d/%Y}"
        for c in conditions
    ]
    lines.append(f"Monitoring not recorded after its planned date: {len(activities)}")
    lines += [
        f"  {a.award.award_number}: {a.get_kind_display().lower()} planned {a.planned_on:%m/%d/%Y}"
        for a in activities
    ]
    return lines
