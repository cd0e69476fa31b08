from django.urls import path

from reports import change_exports

app_name = "change_exports"

urlpatterns = [
    path("exports/budget-changes.xlsx", change_exports.budget_changes_xlsx, name="budget_changes"),
    path("exports/amendments.xlsx", change_exports.amendments_xlsx, name="amendments"),
]
