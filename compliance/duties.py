"""What compliance does once a day, with the reminders (reports.daily_duties): hold the
drawdowns of recipients whose SAM.gov registration has lapsed and lift those renewed,
remind 60 and 30 days before a registration expires, and list single audits overdue,
equipment due for its physical inventory and equipment awaiting its disposition at
closeout. Returns the lines `manage.py send_reminders` prints."""

import logging
from datetime import date, timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.db.models import Prefetch, Q

from compliance import sam_holds
from compliance.models import EquipmentItem, SamRegistration, SamReminder
from compliance.single_audit import audit_years_by_recipient
from grants import access
from grants.models import Award, Membership, Recipient
from grants.months import add_years
from grants.selectors import rule_value

logger = logging.getLogger(__name__)

SAM_REMINDER_DAYS = ("sam_reminder_first_days", "sam_reminder_second_days")
INVENTORY_YEARS = "equipment_inventory_years"


def _people(registrations: list[SamRegistration]) -> dict[int, list[str]]:
    """For each registration, by id: the finance officers of the task forces the entity
    belongs to (a recipient: those it leads or holds awards of; a subrecipient: its
    own), and the program managers. Two queries for them all."""
    recipients = {r.recipient_id for r in registrations if r.recipient_id}
    task_forces = {r.subrecipient.task_force_id for r in registrations if not r.recipient_id}
    officers = (
        Membership.objects.filter(
            Q(task_force__lead_organization__in=recipients)
            | Q(task_force__awards__recipient__in=recipients)
            | Q(task_force__in=task_forces),
            role=Membership.Role.FINANCE_OFFICER,
            user__is_active=True,
        )
        .exclude(user__email="")
        .values_list(
            "task_force_id",
            "task_force__lead_organization_id",
            "task_force__awards__recipient_id",
            "user__email",
        )
        .distinct()
    )
    of_recipient: dict[int, set[str]] = {}
    of_task_force: dict[int, set[str]] = {}
    for task_force, lead, award_recipient, email in officers:
        of_task_force.setdefault(task_force, set()).add(email)
        for recipient in (lead, award_recipient):
            of_recipient.setdefault(recipient, set()).add(email)
    managers = set(
        User.objects.filter(is_active=True, groups__name=access.PROGRAM_MANAGER)
        .exclude(email="")
        .values_list("email", flat=True)
    )
    return {
        r.pk: sorted(
            managers
            | (
                of_recipient.get(r.recipient_id, set())
                if r.recipient_id
                else of_task_force.get(r.subrecipient.task_force_id, set())
            )
        )
        for r in registrations
    }


def sam_reminders(today: date) -> list[str]:
    """Once at each stage (60, then 30 days before by default) for each expiry date; a
    stage missed (the job did not run that day) is sent late, the nearest stage only.
    The registrations, the reminders already sent and the people are read in grouped
    queries; only a reminder sent costs queries of its own."""
    stages = sorted(int(rule_value(key, on=today)) for key in SAM_REMINDER_DAYS)
    lines = []
    horizon = today + timedelta(days=max(stages))
    registrations = list(
        SamRegistration.objects.filter(expires_on__gte=today, expires_on__lte=horizon)
        .select_related("recipient", "subrecipient")
        .prefetch_related(
            Prefetch(
                "reminders",
                queryset=SamReminder.objects.filter(expires_on__gte=today, expires_on__lte=horizon),
            )
        )
    )

    def stage_of(registration: SamRegistration) -> int:
        days_left = (registration.expires_on - today).days
        return min(days for days in stages if days >= days_left)

    due = [
        registration
        for registration in registrations
        if not any(
            sent.expires_on == registration.expires_on
            and sent.days_before <= stage_of(registration)
            for sent in registration.reminders.all()
        )
    ]
    people_of = _people(due) if due else {}
    for registration in due:
        days_left = (registration.expires_on - today).days
        stage = stage_of(registration)
        people = people_of[registration.pk]
        subject = f"SAM.gov registration of {registration.entity_name} expires {registration.expires_on:%m/%d/%Y}"
        try:
            with transaction.atomic():
                SamReminder.objects.create(
                    registration=registration,
                    expires_on=registration.expires_on,
                    days_before=stage,
                    sent_on=today,
                    recipients=", ".join(people),
                )
        except IntegrityError:
            continue  # another run sent it
        body = (
            f"{subject}, in {days_left} days. Renew it at SAM.gov and record the new expiry date. "
            + (
                "Drawdowns on its awards stop while it is lapsed."
                if registration.recipient_id
                else ""
            )
        )
        if people:
            try:
                send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, people, fail_silently=False)
            except Exception:
                logger.exception("SAM.gov reminder failed: %s", subject)
                SamReminder.objects.filter(
                    registration=registration, expires_on=registration.expires_on, days_before=stage
                ).delete()
                lines.append(f"  Not sent (will retry): {subject}")
                continue
        lines.append(f"  {subject} ({stage}-day reminder to {len(people)})")
    return [f"SAM.gov reminders sent: {sum(1 for line in lines if 'reminder to' in line)}", *lines]


def overdue_single_audits(today: date) -> list[str]:
    lines = []
    recipients = list(Recipient.objects.filter(awards__isnull=False).distinct())
    years_of = audit_years_by_recipient(recipients, today=today)
    for recipient in recipients:
        for year in years_of[recipient.pk]:
            if year.overdue(today):
                lines.append(
                    f"  {recipient.legal_name}: fiscal year ending {year.end:%m/%d/%Y}, due {year.due_on:%m/%d/%Y}"
                )
    return [f"Single audits overdue: {len(lines)}", *lines]


def equipment_due(today: date) -> list[str]:
    years = int(rule_value(INVENTORY_YEARS, on=today))
    due = []
    for item in EquipmentItem.objects.filter(disposition="").select_related("award"):
        last = item.last_inventory_on or item.acquired_on
        if add_years(last, years) < today:
            due.append(f"  {item.award.award_number}: {item} (last counted {last:%m/%d/%Y})")
    awaiting = [
        f"  {item.award.award_number}: {item}"
        for item in EquipmentItem.objects.filter(
            disposition="", award__status__in=(Award.Status.IN_CLOSEOUT, Award.Status.CLOSED)
        ).select_related("award")
    ]
    return [
        f"Equipment due for its physical inventory: {len(due)}",
        *due,
        f"Equipment awaiting its disposition at closeout: {len(awaiting)}",
        *awaiting,
    ]


def run_daily(today: date) -> list[str]:
    placed, lifted = sam_holds.sync_all(today)
    return [
        f"SAM.gov holds placed: {placed}, lifted: {lifted}",
        *sam_reminders(today),
        *overdue_single_audits(today),
        *equipment_due(today),
    ]
