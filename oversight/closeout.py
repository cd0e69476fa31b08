"""What oversight adds to an award's closeout checklist (reports.services), and why
(docs/rules/oversight.md#closeout): findings with questioned costs must be closed first,
since what is allowed decides what is paid and what is deobligated; other open findings
and uncleared conditions warn, because closeout does not end the agency's right to follow
them up (2 CFR 200.345)."""

from grants.money import format_money
from oversight.models import OPEN_FINDING, SpecialCondition
from reports.services import ChecklistItem


def checklist_items(award) -> list[ChecklistItem]:
    findings = list(award.monitoring_findings.filter(status__in=OPEN_FINDING))
    questioned = [f for f in findings if f.questioned_amount > 0]
    others = [f for f in findings if f.questioned_amount == 0]
    conditions = award.special_condition_records.filter(status=SpecialCondition.Status.OPEN).count()
    total = sum((f.questioned_amount for f in questioned), start=0)
    return [
        ChecklistItem(
            "Monitoring findings with questioned costs closed",
            not questioned,
            f"{len(questioned)} open, {format_money(total)} questioned"
            if questioned
            else "None open",
        ),
        ChecklistItem(
            "Other monitoring findings closed",
            not others,
            f"{len(others)} open; closing does not wait for them" if others else "None open",
            blocks=False,
        ),
        ChecklistItem(
            "Special conditions cleared",
            not conditions,
            f"{conditions} not cleared; closing does not wait for them"
            if conditions
            else "All cleared",
            blocks=False,
        ),
    ]
