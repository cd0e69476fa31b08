from django.urls import path

from allocations import views

app_name = "allocations"

urlpatterns = [
    path("allocations/", views.run_list, name="run_list"),
    path("allocations/new/", views.run_create, name="run_create"),
    path("allocations/compare/", views.compare, name="compare"),
    path("allocations/factors/", views.factor_list, name="factor_list"),
    path("allocations/factors/import/", views.factor_import, name="factor_import"),
    path(
        "allocations/factors/<int:fiscal_year>/<slug:code>/",
        views.factor_edit,
        name="factor_edit",
    ),
    path("allocations/<int:pk>/", views.run_detail, name="run_detail"),
    path("allocations/<int:pk>/publish/", views.run_publish, name="run_publish"),
    path("allocations/<int:pk>/waivers/", views.run_waive, name="run_waive"),
]
