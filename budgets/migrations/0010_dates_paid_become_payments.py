"""An expenditure's date paid becomes its payment: a disbursement paying it
(docs/rules/cash-and-ledger.md#paid). Before, the date was stored and never counted, and
federal cash paid out was whatever disbursements were typed apart. Per award, in order:

1. A disbursement typed for exactly one expenditure (same amount, on its date paid,
   federal, paying nothing) is linked to it as its payment.
2. A disbursement typed apart for several expenditures (a reimbursement, a payroll run)
   is re-recorded as their payments: the expenditures with a date paid on or before its
   date, oldest first, take its amount; it is reversed, and payments of those
   expenditures (and any rest, paying nothing) are written on its date. Cash out (10b)
   is the same on every day; it now also says what it paid.
3. What is left of a date paid becomes a payment on that date, where the federal cash on
   hand from then on covers it. One that cash could not have paid (a cost paid from the
   recipient's own funds, awaiting reimbursement) is left unpaid, so that no balance goes
   below zero: the award's audit trail lists it, and its payment is recorded when made.

A reversed expenditure counted for nothing and gets no payment. The per-day totals are
then rebuilt. The stored date paid is dropped by the next migration: on PostgreSQL a table
cannot be altered in the transaction that wrote rows to it.
"""

import uuid
from collections import defaultdict
from decimal import Decimal

from django.db import migrations

ZERO = Decimal("0.00")
MIGRATION = "budgets.0010_dates_paid_become_payments"


class AwardLedger:
    """One award's entries as this migration rewrites them, with its federal cash on
    hand per day (drawn, less returned, less federal cash paid out)."""

    def __init__(self, entries, award_id):
        self.entries, self.award_id = entries, award_id
        self.cash = defaultdict(lambda: ZERO)  # day -> change in cash on hand
        for kind, share, amount, day, reverses in entries.objects.filter(
            award_id=award_id
        ).values_list("kind", "share", "amount", "effective_date", "reverses_id"):
            signed = -amount if reverses else amount
            if kind == "drawdown":
                self.cash[day] += signed
            elif kind == "cash_returned" or (kind == "disbursement" and share == "federal"):
                self.cash[day] -= signed

    def lowest_cash_from(self, day):
        """The lowest cash on hand at the end of any day from `day` on."""
        before = sum((v for d, v in self.cash.items() if d < day), ZERO)
        lowest, running = None, before
        for d in sorted(d for d in self.cash if d >= day) or [day]:
            running += self.cash.get(d, ZERO)
            lowest = running if lowest is None else min(lowest, running)
        return min(lowest, before + self.cash.get(day, ZERO))

    def write(self, **fields):
        entry = self.entries.objects.create(award_id=self.award_id, **fields)
        if fields["kind"] == "disbursement" and fields["share"] == "federal":
            self.cash[fields["effective_date"]] -= (
                -fields["amount"] if fields.get("reverses") else fields["amount"]
            )
        return entry


def _migrate_award(entries, award_id) -> dict:
    ledger = AwardLedger(entries, award_id)
    paid = list(
        entries.objects.filter(
            award_id=award_id,
            kind="expenditure",
            reverses__isnull=True,
            reversed_by__isnull=True,
            paid_on__isnull=False,
        ).order_by("paid_on", "pk")
    )
    left = {e.pk: e.amount for e in paid}  # what of each date paid is not yet a payment
    done = {"linked": [], "re_recorded": [], "paid_on_date_paid": [], "left_unpaid": []}

    def apart():
        return entries.objects.filter(
            award_id=award_id,
            kind="disbursement",
            share="federal",
            expenditure__isnull=True,
            reverses__isnull=True,
            reversed_by__isnull=True,
        ).order_by("effective_date", "pk")

    # 1. Typed twice, one for one.
    for e in paid:
        if e.share != "federal":
            continue
        twin = apart().filter(amount=e.amount, effective_date=e.paid_on).first()
        if twin is not None:
            entries.objects.filter(pk=twin.pk).update(expenditure=e)
            left[e.pk] = ZERO
            done["linked"].append(twin.pk)

    # 2. Typed apart for several: re-recorded as their payments, on the same day.
    for d in list(apart()):
        takers = [
            e
            for e in paid
            if e.share == "federal" and left[e.pk] > 0 and e.paid_on <= d.effective_date
        ]
        if not takers:
            continue
        rest, parts = d.amount, []
        for e in takers:
            take = min(rest, left[e.pk])
            parts.append((e, take))
            left[e.pk] -= take
            rest -= take
            if rest == 0:
                break
        common = dict(kind="disbursement", share="federal", effective_date=d.effective_date)
        ledger.write(
            **common,
            amount=d.amount,
            reverses=d,
            actor_id=d.actor_id,
            memo="Re-recorded as the payments of expenditures "
            + ", ".join(f"#{e.pk}" for e, _ in parts),
            idempotency_key=uuid.uuid5(d.idempotency_key, "re-recorded"),
        )
        for e, take in parts:
            ledger.write(
                **common,
                amount=take,
                expenditure=e,
                actor_id=d.actor_id,
                memo=f"Payment of expenditure #{e.pk}, from disbursement #{d.pk}",
                idempotency_key=uuid.uuid5(d.idempotency_key, f"pays-{e.pk}"),
            )
        if rest > 0:
            ledger.write(
                **common,
                amount=rest,
                actor_id=d.actor_id,
                memo=f"Rest of disbursement #{d.pk}: {d.memo}"[:500],
                idempotency_key=uuid.uuid5(d.idempotency_key, "rest"),
            )
        done["re_recorded"].append(d.pk)

    # 3. The rest of each date paid, where federal cash on hand covers it.
    for e in paid:
        amount = left[e.pk]
        if amount <= 0:
            continue
        if e.share == "federal" and amount > ledger.lowest_cash_from(e.paid_on):
            done["left_unpaid"].append(
                {"expenditure": e.pk, "amount": str(amount), "date_paid": str(e.paid_on)}
            )
            continue
        ledger.write(
            kind="disbursement",
            share=e.share,
            amount=amount,
            effective_date=e.paid_on,
            expenditure=e,
            actor_id=e.actor_id,
            memo=f"Payment of expenditure #{e.pk}",
            idempotency_key=uuid.uuid5(e.idempotency_key, "paid"),
        )
        done["paid_on_date_paid"].append(e.pk)
    return done


def pay_on_date_paid(apps, schema_editor):
    from budgets.ledger_days import rebuild

    entries = apps.get_model("budgets", "LedgerEntry")
    awards = apps.get_model("grants", "Award")
    events = apps.get_model("grants", "AuditEvent")
    award_ids = sorted(
        set(
            entries.objects.filter(
                kind="expenditure", reverses__isnull=True, paid_on__isnull=False
            ).values_list("award_id", flat=True)
        )
    )
    for award_id in award_ids:
        done = _migrate_award(entries, award_id)
        award = awards.objects.get(pk=award_id)
        events.objects.create(
            action="budgets.ledger.dates_paid_migrated",
            task_force_id=award.task_force_id,
            object_repr=award.award_number,
            data={"migration": MIGRATION, "award": award.award_number, **done},
        )
    if award_ids:
        rebuild(award_ids, entry_model=entries, day_model=apps.get_model("budgets", "LedgerDay"))


def back_to_dates_paid(apps, schema_editor):
    """The way back: an expenditure paid in full gets a date paid again (the date of its
    last payment), the entries this migration wrote are removed and the disbursements it
    re-recorded stand again; any other payment goes back to paying nothing."""
    from django.db.models import Max, Sum

    from budgets.ledger_days import rebuild

    entries = apps.get_model("budgets", "LedgerEntry")
    award_ids = set()
    payments = entries.objects.filter(expenditure__isnull=False, reverses__isnull=True)
    for row in payments.values("expenditure", "expenditure__amount", "award_id").annotate(
        total=Sum("amount"), last=Max("effective_date")
    ):
        award_ids.add(row["award_id"])
        if row["total"] == row["expenditure__amount"]:
            entries.objects.filter(pk=row["expenditure"]).update(paid_on=row["last"])
    # The keys of the entries this migration wrote, derived as it derived them.
    written = set()
    for award_id in award_ids:
        mine = entries.objects.filter(award_id=award_id)
        spent = list(mine.filter(kind="expenditure").values_list("pk", "idempotency_key"))
        paid_out = mine.filter(kind="disbursement").values_list("idempotency_key", flat=True)
        written.update(uuid.uuid5(key, "paid") for _, key in spent)
        for key in paid_out:
            written.update((uuid.uuid5(key, "re-recorded"), uuid.uuid5(key, "rest")))
            written.update(uuid.uuid5(key, f"pays-{pk}") for pk, _ in spent)
    gone = entries.objects.filter(idempotency_key__in=written)
    entries.objects.filter(reverses__in=gone).delete()
    entries.objects.filter(pk__in=gone.values("pk")).order_by("-pk").delete()
    entries.objects.filter(expenditure__isnull=False).update(expenditure=None)
    if award_ids:
        rebuild(award_ids, entry_model=entries, day_model=apps.get_model("budgets", "LedgerDay"))


class Migration(migrations.Migration):
    dependencies = [
        ("budgets", "0009_paid_expenditures"),
        ("grants", "0006_rule_value_sources_cite_docs"),
    ]

    operations = [
        migrations.RunPython(pay_on_date_paid, back_to_dates_paid),
    ]
