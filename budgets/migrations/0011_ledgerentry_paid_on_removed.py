"""The date paid stored on an expenditure is now its payment (0010): the column goes."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0010_dates_paid_become_payments"),
    ]

    operations = [
        migrations.RemoveField(
            model_name="ledgerentry",
            name="paid_on",
        ),
    ]
