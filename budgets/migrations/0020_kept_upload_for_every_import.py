# The ledger import's kept file becomes the kept file of any import (ledger entries, ASAP
# payments, past awards), its uploader's alone; the files kept so far are ledger files.

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0019_ledger_award_order_index"),
        ("grants", "0019_deobligation_and_decrease"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="ledgerupload",
            name="budgets_ledgerupload_one_per_file",
        ),
        migrations.RenameModel(old_name="LedgerUpload", new_name="KeptUpload"),
        migrations.AddField(
            model_name="keptupload",
            name="purpose",
            field=models.CharField(
                choices=[
                    ("ledger", "Ledger entries"),
                    ("asap_payments", "ASAP payments"),
                    ("past_awards", "Past awards"),
                ],
                default="ledger",
                max_length=20,
            ),
            preserve_default=False,
        ),
        migrations.AlterField(
            model_name="keptupload",
            name="award",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="kept_uploads",
                to="grants.award",
            ),
        ),
        migrations.AddConstraint(
            model_name="keptupload",
            constraint=models.UniqueConstraint(
                condition=models.Q(award__isnull=False),
                fields=("purpose", "award", "uploaded_by", "sha256"),
                name="budgets_keptupload_one_per_award_file",
            ),
        ),
        migrations.AddConstraint(
            model_name="keptupload",
            constraint=models.UniqueConstraint(
                condition=models.Q(award__isnull=True),
                fields=("purpose", "uploaded_by", "sha256"),
                name="budgets_keptupload_one_per_file",
            ),
        ),
    ]
