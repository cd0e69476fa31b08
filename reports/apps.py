from django.apps import AppConfig


class ReportsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "reports"
    verbose_name = "Reports and dashboards"

    def ready(self):
        # The app's table downloads join the registry of reports.exports.tables.
        from reports import table_exports  # noqa: F401
