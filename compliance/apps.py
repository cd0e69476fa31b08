from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Audit and subaward compliance"

    def ready(self):
        # The FFATA subaward report joins the report-type registry, and the daily duties
        # join the daily run of reports' send_reminders.
        # A lapsed SAM.gov registration stops drawdowns from the day it lapses.
        from compliance import duties, report_types, sam_holds  # noqa: F401
        from grants import drawdown_stops
        from reports import daily_duties

        daily_duties.register("compliance", duties.run_daily)
        drawdown_stops.register("sam", sam_holds.drawdown_stop)
