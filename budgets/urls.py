from django.urls import path

from budgets import views

app_name = "budgets"

urlpatterns = [
    path("awards/new/", views.award_create, name="award_create"),
]
