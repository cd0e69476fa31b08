"""What kind of hold each hold is (its cause, so a hold placed by the system is lifted
by the system), and the dated rule values of a drawdown's immediate need
(docs/rules/cash-and-ledger.md#cash-need).

Holds that name a late report are late-report holds; every other existing hold was
placed by program staff.
"""

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.db import migrations, models

PROGRAM_START = date(1997, 10, 1)  # FY1998, the program's first year

# key, value, unit, from, to, description, source, evidence
RULE_VALUES = [
    (
        "cash_need_horizon_days",
        "10",
        "days",
        PROGRAM_START,
        None,
        "Days of expected federal spending a drawdown may cover beyond expenditures already made",
        "OVC FAQ (R19): cash on hand is the minimum needed for disbursements within 10 days "
        "[using it as a draw's horizon: I]",
        "V",
    ),
    (
        "cash_need_lookback_days",
        "90",
        "days",
        PROGRAM_START,
        None,
        "Days of recent federal expenditures averaged to estimate daily spending",
        "Product default (a quarter of spending) [I]",
        "I",
    ),
]


def seed(apps, schema_editor):
    Hold = apps.get_model("grants", "Hold")
    Hold.objects.exclude(report_key="").update(cause="late_report")
    RuleValue = apps.get_model("grants", "RuleValue")
    for key, value, unit, start, end, description, source, evidence in RULE_VALUES:
        RuleValue.objects.update_or_create(
            key=key,
            effective_from=start,
            defaults={
                "value": Decimal(value),
                "unit": unit,
                "effective_to": end,
                "description": description,
                "source": source,
                "evidence": evidence,
            },
        )


def unseed(apps, schema_editor):
    RuleValue = apps.get_model("grants", "RuleValue")
    RuleValue.objects.filter(key__in=[row[0] for row in RULE_VALUES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("grants", "0012_interest_retained_rule_value"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="hold",
            name="cause",
            field=models.CharField(
                choices=[
                    ("program", "Placed by program staff"),
                    ("late_report", "A report is late"),
                    ("excess_cash", "Cash held past the disbursement period"),
                ],
                default="program",
                help_text="Program staff lift their own holds; the system lifts a late-report "
                "hold when the report is in and an excess-cash hold when that cash is disbursed "
                "or returned.",
                max_length=20,
            ),
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.CheckConstraint(
                condition=models.Q(("cause__in", ["program", "late_report", "excess_cash"])),
                name="grants_hold_cause_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="hold",
            constraint=models.UniqueConstraint(
                condition=models.Q(("cause", "excess_cash"), ("lifted_at__isnull", True)),
                fields=("award",),
                name="grants_hold_one_active_excess_cash",
            ),
        ),
        migrations.RunPython(seed, unseed),
    ]
