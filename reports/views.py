"""The home dashboard: the money chain for one fiscal year and for every year."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils import timezone

from budgets.balances import awards_with_excess_cash
from grants import access, selectors
from grants.models import fiscal_year_of


@login_required
def home(request):
    user = request.user
    years = selectors.fiscal_years_for_user(user=user)
    current = fiscal_year_of(timezone.localdate())
    try:
        chosen = int(request.GET.get("fy", ""))
    except ValueError:
        chosen = current if current in years else (years[0] if years else current)
    context = {"years": years, "chosen_year": chosen}
    if access.can_view_program(user):
        context["year_chain"] = selectors.money_chain(user=user, fiscal_year=chosen)
        context["all_chain"] = selectors.money_chain(user=user)
        context["first_year"] = years[-1] if years else None
    today = timezone.localdate()
    context["excess_cash"] = awards_with_excess_cash(
        selectors.award_list_for_user(user=user), today=today
    )
    context["cash_days"] = int(selectors.rule_value("cash_on_hand_days", on=today))
    awards = selectors.award_list_for_user(user=user).filter(fiscal_year=chosen)
    context["awards"] = awards.order_by("task_force__state", "task_force__name")[:100]
    context["award_count"] = awards.count()
    return render(request, "reports/home.html", context)
