from django.apps import AppConfig


class AllocationsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "allocations"
    verbose_name = "Formula allocations"

    def ready(self):
        # The app's table downloads join the registry of reports.exports.tables.
        from allocations import table_exports  # noqa: F401
