"""The dated rule values compliance reads besides those seeded with the program
(grants 0002: equipment_threshold, single_audit_threshold, ffata_subaward_threshold).
Sources as in docs/rules/compliance.md; evidence V (verified), I (inference: a default
program staff may change)."""

from datetime import date

from django.db import migrations

PROGRAM_START = date(1997, 10, 1)

# key, value, unit, description, source, evidence
RULE_VALUES = [
    ("single_audit_due_months", "9", "months", "A single audit is due at the latest this many months after the fiscal year ends", "2 CFR 200.512(a)(1) (R21)", "V"),
    ("single_audit_report_days", "30", "days", "A single audit is due this many days after the auditor's report, if that is earlier", "2 CFR 200.512(a)(1) [I]", "I"),
    ("management_decision_months", "6", "months", "The awarding agency issues its management decision on a finding within this many months of the FAC's acceptance", "2 CFR 200.521(d)", "V"),
    ("equipment_inventory_years", "2", "years", "Equipment is physically inventoried at least this often", "2 CFR 200.313(d)(2)", "V"),
    ("sam_reminder_first_days", "60", "days", "First reminder this many days before a SAM.gov registration expires", "Program practice [I]", "I"),
    ("sam_reminder_second_days", "30", "days", "Second reminder this many days before a SAM.gov registration expires", "Program practice [I]", "I"),
]


def seed(apps, schema_editor):
    RuleValue = apps.get_model("grants", "RuleValue")
    for key, value, unit, description, source, evidence in RULE_VALUES:
        RuleValue.objects.get_or_create(
            key=key,
            effective_from=PROGRAM_START,
            defaults=dict(value=value, unit=unit, description=description, source=source, evidence=evidence),
        )


def unseed(apps, schema_editor):
    apps.get_model("grants", "RuleValue").objects.filter(key__in=[row[0] for row in RULE_VALUES]).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("compliance", "0001_initial"),
        ("grants", "0024_hold_cause_sam_lapsed"),
    ]

    operations = [migrations.RunPython(seed, unseed)]
