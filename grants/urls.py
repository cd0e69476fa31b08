from django.urls import path

from grants import views

app_name = "grants"

urlpatterns = [
    path("appropriations/", views.appropriation_list, name="appropriation_list"),
    path("appropriations/new/", views.appropriation_create, name="appropriation_create"),
    path(
        "appropriations/<int:pk>/",
        views.appropriation_detail,
        name="appropriation_detail",
    ),
    path("task-forces/", views.task_force_list, name="task_force_list"),
    path("task-forces/<slug:code>/", views.task_force_detail, name="task_force_detail"),
    path("recipients/<str:uei>/indirect-rates/", views.indirect_rates, name="indirect_rates"),
    path("search/", views.search, name="search"),
    path("awards/", views.award_list, name="award_list"),
    path("awards/<str:award_number>/", views.award_detail, name="award_detail"),
    path(
        "awards/<str:award_number>/status/<slug:to_status>/",
        views.award_transition,
        name="award_transition",
    ),
    path("awards/<str:award_number>/holds/", views.hold_place, name="hold_place"),
    path(
        "awards/<str:award_number>/drawdown-approval/",
        views.award_drawdown_approval,
        name="award_drawdown_approval",
    ),
    path(
        "awards/<str:award_number>/holds/<int:hold_id>/lift/",
        views.hold_lift,
        name="hold_lift",
    ),
]
