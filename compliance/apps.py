from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Audit and subaward compliance"

    def ready(self):
        # The FFATA subaward report joins the report-type registry, and the daily duties
        # join the daily run of reports' send_reminders.
        from compliance import duties, report_types  # noqa: F401
        from reports import daily_duties

        daily_duties.register("compliance", duties.run_daily)
