"""Why a drawdown request waits for a financial approver
(docs/rules/cash-and-ledger.md#cash-need). Requests made before have none recorded."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("budgets", "0013_interest_and_in_kind")]

    operations = [
        migrations.AddField(
            model_name="drawdownrequest",
            name="review_reasons",
            field=models.JSONField(
                blank=True,
                default=list,
                help_text="Why the request waits for a financial approver, one sentence each "
                "(budgets.cash_need); empty when it was approved automatically.",
            ),
        ),
    ]
