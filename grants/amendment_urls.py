from django.urls import path

from grants import amendment_views as views

app_name = "amendments"

urlpatterns = [
    path("amendments/", views.amendment_list, name="list"),
    path("amendments/<int:pk>/decide/", views.decide, name="decide"),
    path("awards/<str:award_number>/extension/", views.extension, name="extension"),
    path("awards/<str:award_number>/administrative/", views.administrative, name="administrative"),
    path("awards/<str:award_number>/match/", views.match_change, name="match_change"),
]
