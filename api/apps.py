from django.apps import AppConfig


class ApiConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "api"
    verbose_name = "JSON API"

    def ready(self):
        # A token's use is a use of its person's account: it keeps the account from being
        # disabled as unused (accounts.activity).
        from accounts.activity import register_activity
        from api.tokens import users_active_since

        register_activity(users_active_since)
