"""An expenditure's date paid becomes its payment: a disbursement paying it, dated that
day (docs/rules/cash-and-ledger.md#paid). Before, the date was stored and never counted.

Where the same payment was also typed as a disbursement (same award, amount and date,
federal, not yet paying anything), that disbursement is linked as the payment instead of a
second one being written: the same dollar is never counted out twice. A reversed
expenditure counted for nothing and gets no payment. The per-day totals are then rebuilt.
"""

import uuid

import django.db.models.deletion
from django.db import migrations, models


def pay_on_date_paid(apps, schema_editor):
    from budgets.ledger_days import rebuild

    entries = apps.get_model("budgets", "LedgerEntry")
    paid = entries.objects.filter(
        kind="expenditure",
        reverses__isnull=True,
        reversed_by__isnull=True,
        paid_on__isnull=False,
    ).order_by("pk")
    awards = set()
    for expenditure in paid.iterator():
        awards.add(expenditure.award_id)
        twin = (
            entries.objects.filter(
                award_id=expenditure.award_id,
                kind="disbursement",
                share="federal",
                amount=expenditure.amount,
                effective_date=expenditure.paid_on,
                expenditure__isnull=True,
                reverses__isnull=True,
                reversed_by__isnull=True,
            )
            .order_by("pk")
            .first()
            if expenditure.share == "federal"
            else None
        )
        if twin is not None:
            entries.objects.filter(pk=twin.pk).update(expenditure=expenditure)
            continue
        entries.objects.create(
            award_id=expenditure.award_id,
            kind="disbursement",
            share=expenditure.share,
            amount=expenditure.amount,
            effective_date=expenditure.paid_on,
            actor_id=expenditure.actor_id,
            memo=f"Payment of expenditure #{expenditure.pk}",
            idempotency_key=uuid.uuid5(expenditure.idempotency_key, "paid"),
            expenditure=expenditure,
        )
    if awards:
        rebuild(awards, entry_model=entries, day_model=apps.get_model("budgets", "LedgerDay"))


def back_to_dates_paid(apps, schema_editor):
    """The way back: a payment in full becomes the expenditure's date paid again. One
    written for a date paid (its key derived from the expenditure's, as the posting
    service derives it) is removed, with any reversal of it; any other payment goes back
    to being a disbursement of its own. The date paid of an expenditure reversed before
    this migration counted for nothing and was not kept."""
    from budgets.ledger_days import rebuild

    entries = apps.get_model("budgets", "LedgerEntry")
    payments = entries.objects.filter(expenditure__isnull=False, reverses__isnull=True)
    awards = set()
    for payment in payments.select_related("expenditure").iterator():
        awards.add(payment.award_id)
        expenditure = payment.expenditure
        if payment.amount == expenditure.amount:
            entries.objects.filter(pk=expenditure.pk).update(paid_on=payment.effective_date)
        if payment.idempotency_key == uuid.uuid5(expenditure.idempotency_key, "paid"):
            entries.objects.filter(reverses=payment).delete()
            payment.delete()
    entries.objects.filter(expenditure__isnull=False).update(expenditure=None)
    if awards:
        rebuild(awards, entry_model=entries, day_model=apps.get_model("budgets", "LedgerDay"))


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
        migrations.RunPython(pay_on_date_paid, back_to_dates_paid),
        migrations.RemoveField(
            model_name="ledgerentry",
            name="paid_on",
        ),
    ]
