"""The program-office roles, and the dated rule values of docs/rules/thresholds.md (sources
numbered R1–R46 as in docs/rules/sources.md).

Each value carries its evidence grade: V (verified in a cited source), S (secondary
source), I (inference). Values marked I are defaults program staff may change.
"""

from datetime import date
from decimal import Decimal

from django.db import migrations

GROUPS = ["Program manager", "Financial approver", "Auditor", "System administrator"]

UG_2014 = date(2014, 12, 26)  # 2 CFR 200 first in force for new awards [I: start date]
UG_2024 = date(2024, 10, 1)
FAR_2025 = date(2025, 10, 1)
PROGRAM_START = date(1997, 10, 1)  # FY1998, the program's first year

UG_2024_SOURCE = "2 CFR 200, 2024 revision (R18)"
FAR_SOURCE = "FAR 2.101 inflation adjustment, effective 2025-10-01 (R37)"

# key, value, unit, from, to, description, source, evidence
RULE_VALUES = [
    ("de_minimis_indirect_rate", "10", "percent", UG_2014, date(2024, 9, 30), "De minimis indirect cost rate (share of MTDC)", "2 CFR 200.414 (2014)", "V"),
    ("de_minimis_indirect_rate", "15", "percent", UG_2024, None, "De minimis indirect cost rate (share of MTDC)", UG_2024_SOURCE, "V"),
    ("equipment_threshold", "5000", "usd", UG_2014, date(2024, 9, 30), "Equipment: per-unit cost at or above which an item is equipment", "2 CFR 200.1 (2014)", "V"),
    ("equipment_threshold", "10000", "usd", UG_2024, None, "Equipment: per-unit cost at or above which an item is equipment", UG_2024_SOURCE, "V"),
    ("supplies_threshold", "5000", "usd", UG_2014, date(2024, 9, 30), "Supplies: per-unit cost below which an item is a supply", "2 CFR 200.1 (2014)", "V"),
    ("supplies_threshold", "10000", "usd", UG_2024, None, "Supplies: per-unit cost below which an item is a supply", UG_2024_SOURCE, "V"),
    ("mtdc_subaward_portion", "25000", "usd", UG_2014, date(2024, 9, 30), "Part of each subaward included in MTDC", "2 CFR 200.1 (2014)", "V"),
    ("mtdc_subaward_portion", "50000", "usd", UG_2024, None, "Part of each subaward included in MTDC", UG_2024_SOURCE, "V"),
    ("single_audit_threshold", "750000", "usd", UG_2014, date(2024, 9, 30), "Federal expenditures in a recipient fiscal year requiring a Single Audit (by fiscal-year start)", "2 CFR 200.501 (2014)", "V"),
    ("single_audit_threshold", "1000000", "usd", UG_2024, None, "Federal expenditures in a recipient fiscal year requiring a Single Audit (fiscal years starting on or after 2024-10-01)", UG_2024_SOURCE, "V"),
    ("ffata_subaward_threshold", "25000", "usd", date(2010, 10, 1), date(2020, 11, 11), "First-tier subaward reportable under FFATA", "FFATA, older guidance (R33) [start and end dates I]", "V"),
    ("ffata_subaward_threshold", "30000", "usd", date(2020, 11, 12), None, "First-tier subaward reportable under FFATA", "FFATA (R33) [start date I]", "V"),
    ("simplified_acquisition_threshold", "250000", "usd", date(2017, 12, 12), date(2025, 9, 30), "Simplified acquisition threshold; the 10% budget-transfer rule applies to awards above it", "FAR 2.101 (R37) [start date I]", "V"),
    ("simplified_acquisition_threshold", "350000", "usd", FAR_2025, None, "Simplified acquisition threshold; the 10% budget-transfer rule applies to awards above it", FAR_SOURCE, "V"),
    ("micro_purchase_threshold", "10000", "usd", date(2017, 12, 12), date(2025, 9, 30), "Micro-purchase threshold", "FAR 2.101 (R37) [start date I]", "V"),
    ("micro_purchase_threshold", "15000", "usd", FAR_2025, None, "Micro-purchase threshold", FAR_SOURCE, "V"),
    ("consultant_daily_rate_cap", "650", "usd", PROGRAM_START, None, "Consultant rate per 8-hour day above which DOJ prior approval is needed", "DOJ Grants Financial Guide (R36) [start date I]", "V"),
    ("consultant_hourly_rate_cap", "81.25", "usd", PROGRAM_START, None, "Consultant rate per hour above which DOJ prior approval is needed", "DOJ Grants Financial Guide (R36) [start date I]", "V"),
    ("sole_source_prior_approval", "250000", "usd", PROGRAM_START, None, "Sole-source procurement above which prior approval is needed", "OVW budget information page (R36)", "V"),
    ("budget_transfer_pct", "10", "percent", PROGRAM_START, None, "Cumulative budget transfers above this share of the award need a budget modification", "DOJ 10% rule (R23, R24)", "V"),
    ("ffr_due_days", "30", "days", PROGRAM_START, None, "Quarterly SF-425 due this many days after the quarter ends", "OJP TFSC FAQ (R21, R28)", "V"),
    ("progress_report_due_days", "30", "days", PROGRAM_START, None, "Semi-annual progress report due this many days after the half-year ends", "OJJDP reporting requirements (R29)", "V"),
    ("final_report_days", "120", "days", PROGRAM_START, None, "Final reports and closeout due this many days after the period of performance ends", "JustGrants closeout (R22); some guides say 90", "V"),
    ("liquidation_days", "120", "days", PROGRAM_START, None, "Days after the period ends to pay obligations and draw final funds", "JustGrants closeout (R22)", "V"),
    ("cash_on_hand_days", "10", "days", PROGRAM_START, None, "Drawn cash should be disbursed within this many days", "OVC FAQ (R19)", "V"),
    ("no_cost_extension_notice_days", "30", "days", PROGRAM_START, None, "A no-cost extension is requested at least this many days before the period ends", "Grant management slides (R41)", "S"),
    ("no_cost_extension_max_months", "12", "months", PROGRAM_START, None, "A no-cost extension is at most this many months", "Grant management slides (R41)", "S"),
    ("need_based_match_pct", "25", "percent", date(2008, 10, 13), None, "Non-federal match on need-based funds, as a share of the federal amount", "34 U.S.C. 21116 (R10)", "V"),
    ("formula_share_min_pct", "75", "percent", date(2008, 10, 13), None, "At least this share of grant funds goes out by formula", "34 U.S.C. 21116 (R10)", "V"),
    ("formula_floor_pct", "0.5", "percent", date(2008, 10, 13), None, "Each task force receives at least this share of the formula funds", "34 U.S.C. 21116 (R10)", "V"),
    ("record_retention_years", "3", "years", PROGRAM_START, None, "Records kept this many years after the final SF-425", "2 CFR 200.334 (R38)", "V"),
]


def seed(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    RuleValue = apps.get_model("grants", "RuleValue")
    for name in GROUPS:
        Group.objects.get_or_create(name=name)
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


class Migration(migrations.Migration):
    dependencies = [("grants", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
