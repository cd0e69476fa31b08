from django.apps import AppConfig


class GrantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"
    verbose_name = "Program and awards"
