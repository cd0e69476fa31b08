"""What each step of an award's lifecycle will do, in plain words, for the page that asks
before it is taken (grants.views.award_transition). The rules themselves stay in
grants.services; this only describes them with the award's own amounts and dates."""

from dataclasses import dataclass, field
from datetime import date, timedelta

from django.utils import timezone

from grants.models import Award
from grants.money import format_money
from grants.selectors import rule_value


@dataclass
class Confirmation:
    title: str  # the heading and the button's words
    summary: str  # one sentence: what will happen
    details: list[str] = field(default_factory=list)
    warning: str = ""  # something the person should weigh before confirming


def months_left(award: Award, today: date) -> int:
    """Whole months from `today` to the end of the period of performance (0 once ended)."""
    if today > award.period_end:
        return 0
    months = (award.period_end.year - today.year) * 12 + award.period_end.month - today.month
    if award.period_end.day < today.day:
        months -= 1
    return max(months, 0)


def final_sf425_due(award: Award) -> date | None:
    """The day the final SF-425 falls due (the dated rule "final_report_days"); None when no
    rule is in force on the award's last day."""
    try:
        days = int(rule_value("final_report_days", on=award.period_end))
    except LookupError:
        return None
    return award.period_end + timedelta(days=days)


def _d(day: date) -> str:
    return f"{day:%m/%d/%Y}"


# What each step says, with the award's words filled in (_words). The closeout's warning
# is empty once the period has ended, and then not shown.
STEPS = {
    Award.Status.OFFERED: {
        "title": "Offer award {award}",
        "summary": "Offer award {award} to {recipient}: {amounts}, period of performance {period}.",
        "details": [
            "After the offer the budget changes only by a modification of the approved budget.",
            "{recipient}'s grant administrator may then accept the award and its terms and "
            "special conditions.",
        ],
    },
    Award.Status.DRAFT: {
        "title": "Withdraw the offer of award {award}",
        "summary": "Withdraw the offer of award {award}: it returns to draft and {recipient} "
        "can no longer accept it until it is offered again.",
    },
    Award.Status.ACCEPTED: {
        "title": "Accept award {award}",
        "summary": "Accept award {award} on behalf of {recipient}: {amounts}, period of "
        "performance {period}.",
        "details": [
            "{recipient} becomes bound by the award's terms and special conditions. Your "
            "name, the name you type and the time are recorded with the acceptance.",
        ],
    },
    Award.Status.ACTIVE: {
        "title": "Make award {award} active",
        "summary": "Make award {award} active: {recipient} may draw down and record spending "
        "against {federal} for the period {period}.",
    },
    Award.Status.IN_CLOSEOUT: {
        "title": "Move award {award} to closeout",
        "summary": "Move award {award} to closeout: no more spending may be recorded after "
        "the period ends on {period_end}; the final SF-425 {due}; {left} of the period "
        "remain.",
        "warning": "{period_not_ended}",
    },
}


def _words(award: Award, today: date) -> dict[str, str]:
    left = months_left(award, today)
    months = f"{left} month{'s' if left != 1 else ''}"
    due = final_sf425_due(award)
    return {
        "award": str(award),
        "recipient": str(award.recipient),
        "period": f"{_d(award.period_start)} to {_d(award.period_end)}",
        "period_end": _d(award.period_end),
        "federal": format_money(award.federal_amount),
        "amounts": f"{format_money(award.federal_amount)} federal, "
        f"{format_money(award.match_required)} match required",
        "left": months,
        "due": f"falls due on {_d(due)}" if due else "falls due after the period ends",
        "period_not_ended": (
            f"The period of performance has not ended: {months} of the period remain (it "
            f"ends {_d(award.period_end)}). Closeout normally starts by itself the day "
            "after the period ends."
            if award.period_end >= today
            else ""
        ),
    }


def confirmation_for(award: Award, to_status: str, today: date | None = None) -> Confirmation:
    if to_status not in STEPS:
        raise ValueError(to_status)
    step = STEPS[to_status]
    words = _words(award, today or timezone.localdate())
    return Confirmation(
        title=step["title"].format_map(words),
        summary=step["summary"].format_map(words),
        details=[detail.format_map(words) for detail in step.get("details", [])],
        warning=step.get("warning", "").format_map(words),
    )
