"""Indirect cost rate agreements of recipients (docs/rules/indirect-costs.md), and the
de minimis rate's dated values with the citation the rate rule reads them under.

The de minimis rate was 10% of MTDC until 2024-09-30 and is 15% from 2024-10-01
(2 CFR 200.414(f), as revised by OMB's final rule of April 22, 2024, 89 FR 30046;
sources R18 and R50 of docs/rules/sources.md). The rows exist since migration 0002;
this one gives them their exact paragraph and Federal Register citation.

On PostgreSQL an exclusion constraint also keeps one recipient's agreements from
overlapping (range types need no extension: the recipient id is compared as a
one-value range). SQLite has no such constraint; the service's check under the
recipient's row lock holds the rule there.
"""

from datetime import date
from decimal import Decimal

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


UG_2014 = date(2014, 12, 26)
UG_2024 = date(2024, 10, 1)
DESCRIPTION = "De minimis indirect cost rate (share of MTDC)"
# key, value, unit, from, to, description, source, evidence
DE_MINIMIS = [
    (
        "de_minimis_indirect_rate",
        "10",
        "percent",
        UG_2014,
        date(2024, 9, 30),
        DESCRIPTION,
        "2 CFR 200.414(f) (2014 text): 10% of MTDC (R18, R50)",
        "V",
    ),
    (
        "de_minimis_indirect_rate",
        "15",
        "percent",
        UG_2024,
        None,
        DESCRIPTION + "; recipients may elect less",
        "2 CFR 200.414(f) as revised by 89 FR 30046, in force 2024-10-01: up to 15% of MTDC (R18, R50)",
        "V",
    ),
]
EXCLUSION = (
    "ALTER TABLE grants_indirectrateagreement ADD CONSTRAINT grants_indirectrate_no_overlap "
    "EXCLUDE USING gist (int8range(recipient_id, recipient_id, '[]') WITH =, "
    "daterange(effective_from, effective_to, '[]') WITH &&)"
)


def de_minimis_values(apps, schema_editor):
    RuleValue = apps.get_model("grants", "RuleValue")
    for key, value, unit, start, end, description, source, evidence in DE_MINIMIS:
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


def no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(EXCLUSION)


def drop_no_overlap(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            "ALTER TABLE grants_indirectrateagreement DROP CONSTRAINT grants_indirectrate_no_overlap"
        )


class Migration(migrations.Migration):

    # Numbered 0007 when written; it follows the migrations merged before it.
    dependencies = [
        ('grants', '0016_appropriation_assistance_listing'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='IndirectRateAgreement',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('rate_type', models.CharField(choices=[('provisional', 'Provisional'), ('predetermined', 'Predetermined'), ('fixed', 'Fixed'), ('final', 'Final'), ('de_minimis', 'De minimis')], max_length=20, verbose_name='Type of rate')),
                ('rate', models.DecimalField(blank=True, decimal_places=3, help_text='Blank for the de minimis rate: its percentage is the dated rule value.', max_digits=6, null=True, verbose_name='Rate (percent)')),
                ('base', models.CharField(choices=[('mtdc', 'Modified total direct costs (MTDC)')], default='mtdc', max_length=10)),
                ('effective_from', models.DateField()),
                ('effective_to', models.DateField(blank=True, help_text='Last day in force; blank until further notice.', null=True)),
                ('cognizant_agency', models.CharField(blank=True, help_text='The federal agency that negotiated the rate.', max_length=200)),
                ('signed_on', models.DateField(blank=True, null=True, verbose_name='Date signed')),
                ('recorded_at', models.DateTimeField(auto_now_add=True)),
                ('recipient', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='indirect_rate_agreements', to='grants.recipient')),
                ('recorded_by', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL)),
            ],
            options={
                'ordering': ['recipient', 'effective_from'],
                'constraints': [models.CheckConstraint(condition=models.Q(('rate_type__in', ['provisional', 'predetermined', 'fixed', 'final', 'de_minimis'])), name='grants_indirectrate_type_valid'), models.CheckConstraint(condition=models.Q(('base__in', ['mtdc'])), name='grants_indirectrate_base_valid'), models.CheckConstraint(condition=models.Q(('effective_to__isnull', True), ('effective_to__gte', models.F('effective_from')), _connector='OR'), name='grants_indirectrate_dates_ordered'), models.CheckConstraint(condition=models.Q(models.Q(('rate__isnull', True), ('rate_type', 'de_minimis')), models.Q(models.Q(('rate_type', 'de_minimis'), _negated=True), ('rate__gt', 0), ('signed_on__isnull', False), models.Q(('cognizant_agency', ''), _negated=True)), _connector='OR'), name='grants_indirectrate_rate_matches_type'), models.UniqueConstraint(fields=('recipient', 'effective_from'), name='grants_indirectrate_one_start')],
            },
        ),
        migrations.RunPython(de_minimis_values, migrations.RunPython.noop),
        migrations.RunPython(no_overlap, drop_no_overlap),
    ]
