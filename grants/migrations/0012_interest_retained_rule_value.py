"""The interest on federal advances a recipient may keep each year for administrative
expense (docs/rules/cash-and-ledger.md#interest-on-advances). Data only."""

from datetime import date

from django.db import migrations

KEY = "interest_retained_per_year"


def add_rule_value(apps, schema_editor):
    RuleValue = apps.get_model("grants", "RuleValue")
    RuleValue.objects.get_or_create(
        key=KEY,
        effective_from=date(2014, 12, 26),  # the Uniform Guidance's effective date
        defaults={
            "value": "500",
            "unit": "usd",
            "description": "Interest earned on federal advances a non-Federal entity may "
            "keep each fiscal year for administrative expense; the rest is remitted",
            "source": "2 CFR 200.305(b)(9) (R47)",
            "evidence": "V",
        },
    )


def remove_rule_value(apps, schema_editor):
    apps.get_model("grants", "RuleValue").objects.filter(key=KEY).delete()


class Migration(migrations.Migration):
    dependencies = [("grants", "0011_award_program_income_alternative")]

    operations = [migrations.RunPython(add_rule_value, remove_rule_value)]
