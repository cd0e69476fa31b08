from django.urls import path

from oversight import views

app_name = "oversight"

urlpatterns = [
    path("oversight/", views.overview, name="overview"),
    path("oversight/reviews/new/", views.review_create, name="review_create"),
    path("oversight/reviews/<int:pk>/", views.review_detail, name="review_detail"),
    path("awards/<str:award_number>/oversight/", views.award_oversight, name="award"),
    path(
        "awards/<str:award_number>/oversight/conditions/",
        views.condition_create,
        name="condition_create",
    ),
    path(
        "awards/<str:award_number>/oversight/conditions/<int:number>/clear/",
        views.condition_clear,
        name="condition_clear",
    ),
    path(
        "awards/<str:award_number>/oversight/activities/",
        views.activity_create,
        name="activity_create",
    ),
    path(
        "awards/<str:award_number>/oversight/activities/<int:pk>/done/",
        views.activity_done,
        name="activity_done",
    ),
    path(
        "awards/<str:award_number>/oversight/activities/<int:pk>/findings/",
        views.finding_create,
        name="finding_create",
    ),
    path(
        "awards/<str:award_number>/oversight/findings/<int:pk>/plan/",
        views.finding_plan,
        name="finding_plan",
    ),
    path(
        "awards/<str:award_number>/oversight/findings/<int:pk>/close/",
        views.finding_close,
        name="finding_close",
    ),
]
