"""Payments of expenditures (a disbursement may name the expenditure it pays) and the
per-day totals of what was paid (10e and 10j on the cash basis). The dates paid stored
on expenditures become payments in the next migration."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0008_cash_returned"),
    ]

    operations = [
        migrations.AddField(
            model_name="ledgerday",
            name="federal_paid",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="10e: federal share of expenditures paid",
                max_digits=16,
            ),
        ),
        migrations.AddField(
            model_name="ledgerday",
            name="recipient_paid",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="10j: recipient share of expenditures paid",
                max_digits=16,
            ),
        ),
        migrations.AddField(
            model_name="ledgerentry",
            name="expenditure",
            field=models.ForeignKey(
                blank=True,
                help_text="The expenditure a disbursement pays.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="payments",
                to="budgets.ledgerentry",
            ),
        ),
        migrations.AlterField(
            model_name="ledgerday",
            name="federal_expenditures",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="10e: federal share of expenditures incurred",
                max_digits=16,
            ),
        ),
        migrations.AlterField(
            model_name="ledgerday",
            name="recipient_expenditures",
            field=models.DecimalField(
                decimal_places=2,
                default=0,
                help_text="10j: recipient share of expenditures incurred",
                max_digits=16,
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("expenditure__isnull", True), ("kind__in", ["disbursement"]), _connector="OR"
                ),
                name="budgets_ledger_only_disbursements_pay_expenditures",
            ),
        ),
        migrations.AddConstraint(
            model_name="ledgerentry",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("kind__in", ["disbursement"]), _negated=True),
                    ("share", "federal"),
                    ("expenditure__isnull", False),
                    _connector="OR",
                ),
                name="budgets_ledger_recipient_payment_pays_expenditure",
            ),
        ),
    ]
