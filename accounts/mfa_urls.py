from django.urls import path

from accounts import mfa_views as views

app_name = "mfa"

urlpatterns = [
    path("", views.manage, name="manage"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/app/", views.enrol_totp, name="enrol_totp"),
    path("enrol/passkey/", views.enrol_passkey, name="enrol_passkey"),
    path("verify/", views.verify, name="verify"),
    path("recovery-codes/", views.recovery_codes, name="recovery_codes"),
    path(
        "recovery-codes/regenerate/",
        views.recovery_codes_regenerate,
        name="recovery_codes_regenerate",
    ),
    path("<slug:kind>/<int:pk>/remove/", views.remove, name="remove"),
    path("<slug:kind>/<int:pk>/rename/", views.rename, name="rename"),
]
