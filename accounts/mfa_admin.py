"""The Django admin asks for the second factor too (as django-otp's OTPAdminSite does),
in addition to the middleware: a staff session that has not met its factor is not
let in even if the middleware were taken out."""

from django.contrib.admin import AdminSite
from django.contrib.admin.apps import AdminConfig


class SecondFactorAdminSite(AdminSite):
    def has_permission(self, request):
        from accounts.mfa_policy import Standing, standing

        return super().has_permission(request) and standing(request) is Standing.SATISFIED


class SecondFactorAdminConfig(AdminConfig):
    default_site = "accounts.mfa_admin.SecondFactorAdminSite"
