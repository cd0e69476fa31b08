"""Panels computed from the ledger that pages of other apps show: the award page (grants)
shows the match met and the interest on advances without importing this app, as it shows
the budget table through this app's template."""

from datetime import date

from django import template
from django.utils import timezone

from budgets.balances import match_met
from budgets.interest import interest_by_year

register = template.Library()


@register.inclusion_tag("budgets/_match_panel.html")
def match_panel(award, as_of: date | None = None):
    """Required match against what is met, cash and in kind, as of a day (today)."""
    return {"match": match_met(award, as_of=as_of or timezone.localdate())}


@register.inclusion_tag("budgets/_interest_panel.html")
def interest_panel(award, as_of: date | None = None):
    """Interest on federal advances per fiscal year of the recipient, as of a day."""
    return {
        "recipient": award.recipient,
        "years": interest_by_year(award, as_of=as_of or timezone.localdate()),
    }
