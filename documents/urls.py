from django.urls import path

from documents import views

app_name = "documents"

urlpatterns = [
    path("documents/<slug:kind>/<int:pk>/", views.parent_documents, name="parent"),
    path("documents/<int:pk>/download/", views.download, name="download"),
]
