from django.apps import AppConfig


class AccountsConfig(AppConfig):
    """Signing in: the second factors (mfa_*.py modules)."""

    name = "accounts"
    verbose_name = "Accounts"
