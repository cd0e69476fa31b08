from django.apps import AppConfig


class OversightConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "oversight"
    verbose_name = "Risk, special conditions and monitoring"

    def ready(self):
        # The closeout checklist and the daily run live in reports, below this app: they
        # take oversight's part through their registries.
        from oversight.closeout import checklist_items
        from oversight.duties import run_daily
        from reports import daily_duties
        from reports.services import register_checklist_items

        register_checklist_items(checklist_items)
        daily_duties.register("oversight", run_daily)
