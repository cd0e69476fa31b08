from django.urls import path

from budgets import modification_views as views

app_name = "modifications"

urlpatterns = [
    path("awards/<str:award_number>/budget/modify/", views.propose, name="propose"),
    path("awards/<str:award_number>/budget/pre-award/", views.pre_award_budget, name="pre_award"),
    path("awards/<str:award_number>/budget/supplement/", views.supplement, name="supplement"),
    path("awards/<str:award_number>/budget/decrease/", views.decrease, name="decrease"),
    path("awards/<str:award_number>/terms/", views.terms, name="terms"),
    path("budget-changes/", views.change_list, name="list"),
    path("budget-changes/<int:pk>/", views.detail, name="detail"),
    path("budget-changes/<int:pk>/decide/", views.decide, name="decide"),
]
