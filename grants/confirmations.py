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


def confirmation_for(award: Award, to_status: str, today: date | None = None) -> Confirmation:
    today = today or timezone.localdate()
    period = f"{_d(award.period_start)} to {_d(award.period_end)}"
    amounts = (
        f"{format_money(award.federal_amount)} federal, "
        f"{format_money(award.match_required)} match required"
    )
    if to_status == Award.Status.OFFERED:
        return Confirmation(
            title=f"Offer award {award}",
            summary=(
                f"Offer award {award} to {award.recipient}: {amounts}, period of performance "
                f"{period}."
            ),
            details=[
                "After the offer the budget changes only by a modification of the approved budget.",
                f"{award.recipient}'s grant administrator may then accept the award and its "
                "terms and special conditions.",
            ],
        )
    if to_status == Award.Status.DRAFT:
        return Confirmation(
            title=f"Withdraw the offer of award {award}",
            summary=(
                f"Withdraw the offer of award {award}: it returns to draft and "
                f"{award.recipient} can no longer accept it until it is offered again."
            ),
        )
    if to_status == Award.Status.ACCEPTED:
        return Confirmation(
            title=f"Accept award {award}",
            summary=(
                f"Accept award {award} on behalf of {award.recipient}: {amounts}, period of "
                f"performance {period}."
            ),
            details=[
                f"{award.recipient} becomes bound by the award's terms and special conditions. "
                "Your name, the name you type and the time are recorded with the acceptance.",
            ],
        )
    if to_status == Award.Status.ACTIVE:
        return Confirmation(
            title=f"Make award {award} active",
            summary=(
                f"Make award {award} active: {award.recipient} may draw down and record spending "
                f"against {format_money(award.federal_amount)} for the period {period}."
            ),
        )
    if to_status == Award.Status.IN_CLOSEOUT:
        left = months_left(award, today)
        due = final_sf425_due(award)
        due_words = f"falls due on {_d(due)}" if due else "falls due after the period ends"
        warning = ""
        if award.period_end >= today:
            warning = (
                f"The period of performance has not ended: {left} month{'s' if left != 1 else ''} "
                f"of the period remain (it ends {_d(award.period_end)}). Closeout normally "
                "starts by itself the day after the period ends."
            )
        return Confirmation(
            title=f"Move award {award} to closeout",
            summary=(
                f"Move award {award} to closeout: no more spending may be recorded after the "
                f"period ends on {_d(award.period_end)}; the final SF-425 {due_words}; {left} month{'s' if left != 1 else ''} of the "
                "period remain."
            ),
            warning=warning,
        )
    raise ValueError(to_status)
