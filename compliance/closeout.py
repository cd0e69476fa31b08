"""What the single audit adds to an award's closeout checklist (reports.services): its
findings on the award with questioned costs must have a management decision first
(2 CFR 200.521). Whether those costs are allowed decides what is paid and what is
deobligated at closeout, which cannot be undone by a later decision; oversight's own
monitoring findings are checked by oversight.closeout."""

from django.db.models import Count, Sum

from compliance.models import AuditFinding
from grants.money import ZERO, format_money
from reports.services import ChecklistItem


def checklist_items(award) -> list[ChecklistItem]:
    undecided = AuditFinding.objects.filter(award=award, decision="", questioned_costs__gt=0)
    totals = undecided.aggregate(count=Count("pk"), questioned=Sum("questioned_costs"))
    count, questioned = totals["count"], totals["questioned"] or ZERO
    return [
        ChecklistItem(
            "Single audit findings with questioned costs decided",
            not count,
            f"{count} without a management decision, {format_money(questioned)} questioned"
            if count
            else "None undecided",
        )
    ]
