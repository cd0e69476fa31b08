from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class GrantsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grants"
    verbose_name = "Program and awards"

    def ready(self):
        from grants.models import RuleValue
        from grants.selectors import forget_rules

        # A rule value changed inside a request is read again by the rest of it.
        post_save.connect(forget_rules, sender=RuleValue, dispatch_uid="grants.forget_rules")
        post_delete.connect(forget_rules, sender=RuleValue, dispatch_uid="grants.forget_rules")
