from django.urls import path

from compliance import views

app_name = "compliance"

urlpatterns = [
    path("compliance/", views.index, name="index"),
    path("compliance/recipients/<int:pk>/", views.recipient_detail, name="recipient_detail"),
    path(
        "compliance/recipients/<int:pk>/audits/<str:fiscal_year_end>/",
        views.audit_detail,
        name="audit_detail",
    ),
    path(
        "compliance/recipients/<int:pk>/sefa/<str:fiscal_year_end>/",
        views.sefa_page,
        name="sefa",
    ),
    path(
        "compliance/recipients/<int:pk>/sefa/<str:fiscal_year_end>.xlsx",
        views.sefa_xlsx,
        name="sefa_xlsx",
    ),
    path(
        "compliance/subrecipients/<int:pk>/", views.subrecipient_detail, name="subrecipient_detail"
    ),
    path("awards/<str:award_number>/subawards/", views.award_subawards, name="award_subawards"),
    path(
        "awards/<str:award_number>/subawards/<int:pk>/",
        views.subaward_detail,
        name="subaward_detail",
    ),
    path("awards/<str:award_number>/equipment/", views.award_equipment, name="award_equipment"),
    path(
        "awards/<str:award_number>/equipment/<int:pk>/",
        views.equipment_detail,
        name="equipment_detail",
    ),
]
