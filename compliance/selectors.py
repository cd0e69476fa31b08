"""The reads of compliance, each scoped to the person: another task force's subaward,
subrecipient, equipment or recipient is not found (a 404), never shown."""

from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Q, QuerySet

from budgets.models import Category
from compliance.models import (
    EquipmentItem,
    SamRegistration,
    Subaward,
    SubawardSpending,
    Subrecipient,
)
from grants import access
from grants.models import Award, Recipient
from grants.money import CENT, ZERO, MoneySum


def recipient_list_for_user(*, user) -> QuerySet[Recipient]:
    """The recipients of the person's task forces (leads, or holders of their awards)."""
    if access.sees_every_task_force(user):
        return Recipient.objects.all()
    ids = access.task_force_ids(user)
    return Recipient.objects.filter(
        pk__in=Recipient.objects.filter(
            Q(task_forces__in=ids) | Q(awards__task_force__in=ids)
        ).values("pk")
    )


def subrecipient_list_for_user(*, user) -> QuerySet[Subrecipient]:
    return Subrecipient.objects.filter(access.task_force_scope(user)).select_related("task_force")


def subaward_list_for_user(*, user) -> QuerySet[Subaward]:
    return Subaward.objects.filter(
        access.task_force_scope(user, "award__task_force")
    ).select_related("award", "subrecipient")


def equipment_list_for_user(*, user) -> QuerySet[EquipmentItem]:
    return EquipmentItem.objects.filter(
        access.task_force_scope(user, "award__task_force")
    ).select_related("award", "entry")


def registration_list_for_user(*, user) -> QuerySet[SamRegistration]:
    recipients = recipient_list_for_user(user=user).values("pk")
    subrecipients = subrecipient_list_for_user(user=user).values("pk")
    return SamRegistration.objects.filter(
        Q(recipient__in=recipients) | Q(subrecipient__in=subrecipients)
    ).select_related("recipient", "subrecipient")


def spent_by_subaward(subaward_ids) -> dict[int, Decimal]:
    """Each subaward's spending: its linked ledger entries, less any reversed since."""
    rows = (
        SubawardSpending.objects.filter(
            subaward_id__in=list(subaward_ids), entry__reversed_by__isnull=True
        )
        .values("subaward_id")
        .annotate(total=MoneySum("entry__amount", default=ZERO))
        .order_by("subaward_id")
    )
    return {row["subaward_id"]: row["total"].quantize(CENT) for row in rows}


@dataclass(frozen=True)
class SubawardRoom:
    budget: Decimal  # federal category G of the budget in force
    subawarded: Decimal

    @property
    def left(self) -> Decimal:
        return max(self.budget - self.subawarded, ZERO)


def subaward_room(award: Award) -> SubawardRoom:
    """What the award has left for subawards: its approved federal budget for category G
    (subawards) less the subawards already made on it. Read under the award's lock."""
    line = award.budget_versions.lines_in_force().filter(category=Category.SUBAWARDS).first()
    budget = line.federal_amount if line else ZERO
    subawarded = Subaward.objects.filter(award=award).aggregate(t=MoneySum("amount", default=ZERO))[
        "t"
    ]
    return SubawardRoom(budget=budget, subawarded=subawarded.quantize(CENT))
