from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from accounts import views as account_views
from reports import views as report_views

urlpatterns = [
    path("", report_views.home, name="home"),
    path("accounts/login/", auth_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/mfa/", include("accounts.mfa_urls")),
    path("accounts/mfa/passkeys/", include("accounts.mfa_webauthn")),
    # budgets first: its /awards/new/ must win over grants' /awards/<number>/.
    path("", include("budgets.urls")),
    path("", include("budgets.modification_urls")),
    path("", include("grants.amendment_urls")),
    path("", include("reports.urls")),
    path("", include("reports.export_urls")),
    path("", include("documents.urls")),
    path("", include("oversight.urls")),
    path("", include("grants.urls")),
    path("", include("compliance.urls")),
    path("", include("allocations.urls")),
    path("", include("api.page_urls")),
    path("", include("accounts.urls")),
    path("api/", include("api.urls")),
    # The admin has no sign-in page of its own: it uses the app's (lockout included).
    path("admin/login/", account_views.admin_login),
    path("admin/", admin.site.urls),
]
