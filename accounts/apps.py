from django.apps import AppConfig


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = "Accounts and sign-in"

    def ready(self):
        # Sign-ins, failures, lockouts, sign-outs and role changes become audit events.
        from accounts import signals  # noqa: F401
