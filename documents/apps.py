from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "documents"
    verbose_name = "Attached documents"

    def ready(self):
        # Attachments join every evidence pack (reports.exports.packs.register).
        from documents import packs  # noqa: F401
