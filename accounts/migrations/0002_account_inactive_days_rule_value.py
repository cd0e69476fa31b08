"""The number of days without a sign-in after which the daily run disables an account
(NIST SP 800-53 AC-2(3); docs/security.md#account-management). Data only."""

from datetime import date

from django.db import migrations

KEY = "account_inactive_days"


def add_rule_value(apps, schema_editor):
    RuleValue = apps.get_model("grants", "RuleValue")
    RuleValue.objects.get_or_create(
        key=KEY,
        effective_from=date(2020, 9, 23),  # NIST SP 800-53 Rev. 5
        defaults={
            "value": "90",
            "unit": "days",
            "description": "Days without a sign-in after which an account is disabled",
            "source": "NIST SP 800-53 Rev. 5 AC-2(3) (organization-defined period; "
            "90 days is the FedRAMP moderate baseline's value)",
            "evidence": "S",
        },
    )


def remove_rule_value(apps, schema_editor):
    apps.get_model("grants", "RuleValue").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0001_account_security"),
        ("grants", "0019_deobligation_and_decrease"),
    ]

    operations = [migrations.RunPython(add_rule_value, remove_rule_value)]
