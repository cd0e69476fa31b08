from django.apps import AppConfig


class ComplianceConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "compliance"
    verbose_name = "Audit and subaward compliance"

    def ready(self):
        # The FFATA subaward report joins the report-type registry, and the daily duties
        # join the daily run of reports' send_reminders.
        # A lapsed SAM.gov registration stops drawdowns from the day it lapses. An audit
        # finding's questioned costs undecided keep the award from closing.
        from compliance import closeout, duties, report_types, sam_holds  # noqa: F401
        from grants import drawdown_stops
        from reports import daily_duties
        from reports.services import register_checklist_items

        daily_duties.register("compliance", duties.run_daily)
        drawdown_stops.register("sam", sam_holds.drawdown_stop)
        register_checklist_items(closeout.checklist_items)
