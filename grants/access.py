"""Who may see and do what. Every access rule in the system lives in this module.

Program office (program managers, financial approvers) and auditors see every task
force; task-force staff see only the task forces they are members of. Reads that miss
the user's scope become 404s in the views (the object "does not exist" for them);
actions the user's role does not allow raise PermissionDenied (403).
"""

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Q

from grants.models import Membership, TaskForce

# Group names: the program-office roles.
PROGRAM_MANAGER = "Program manager"
FINANCIAL_APPROVER = "Financial approver"
AUDITOR = "Auditor"
SYSTEM_ADMINISTRATOR = "System administrator"


def _groups(user) -> frozenset[str]:
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_icac_groups", None)
    if cached is None:
        cached = frozenset(user.groups.values_list("name", flat=True))
        user._icac_groups = cached
    return cached


def in_any_group(user, names) -> bool:
    """Whether the user is in one of the groups `names` (read once per user object)."""
    return not _groups(user).isdisjoint(names)


def is_program_manager(user) -> bool:
    return user.is_active and PROGRAM_MANAGER in _groups(user)


def is_financial_approver(user) -> bool:
    return user.is_active and FINANCIAL_APPROVER in _groups(user)


def is_auditor(user) -> bool:
    return user.is_active and AUDITOR in _groups(user)


def is_program_office(user) -> bool:
    return is_program_manager(user) or is_financial_approver(user)


def sees_every_task_force(user) -> bool:
    """Program office and auditors read the whole program."""
    return user.is_authenticated and (
        is_program_office(user) or is_auditor(user) or user.is_superuser
    )


def _membership_rows(user) -> tuple[tuple[int, str, str], ...]:
    """The user's (task force id, role, task force name) rows, read once per user object
    as its groups are: a request asks several questions of them (scope, may record, may
    accept) and its page header names them."""
    cached = getattr(user, "_icac_memberships", None)
    if cached is None:
        cached = user._icac_memberships = tuple(
            Membership.objects.filter(user=user)
            .order_by("pk")
            .values_list("task_force_id", "role", "task_force__name")
        )
    return cached


def _memberships(user) -> frozenset[tuple[int, str]]:
    """The user's (task force id, role) pairs."""
    return frozenset((task_force, role) for task_force, role, _ in _membership_rows(user))


def task_force_ids(user, *, roles: tuple[str, ...] | None = None) -> set[int]:
    """The task forces the user is a member of (optionally in one of `roles`)."""
    if not user.is_authenticated:
        return set()
    return {task_force for task_force, role in _memberships(user) if not roles or role in roles}


def task_force_scope(user, field: str = "task_force") -> Q:
    """A filter limiting a queryset to the rows the user may read.

    `field` is the path from the queried model to its task force.
    """
    if sees_every_task_force(user):
        return Q()
    if not user.is_authenticated:
        return Q(pk__in=[])
    return Q(**{f"{field}__in": task_force_ids(user)})


# --- What people may do ------------------------------------------------------------


def can_manage_program(user) -> bool:
    """Set up appropriations, create and offer awards, place and lift holds."""
    return is_program_manager(user)


def can_view_program(user) -> bool:
    """See program-level records such as appropriations and set-asides."""
    return sees_every_task_force(user)


def can_accept_award(user, award) -> bool:
    """The recipient's grant administrator accepts an offered award."""
    return award.task_force_id in task_force_ids(user, roles=(Membership.Role.GRANT_ADMINISTRATOR,))


def can_record_spending(user, award) -> bool:
    """Obligations, expenditures, disbursements, program income, reversals and drawdown
    requests: the task force's own finance officers."""
    return award.task_force_id in task_force_ids(user, roles=(Membership.Role.FINANCE_OFFICER,))


def can_decide_drawdowns(user) -> bool:
    """Approve, reject and record payment of drawdown requests."""
    return is_financial_approver(user)


def can_propose_budget_modification(user, award) -> bool:
    """A new budget for an award (transfers among categories): the task force's own
    finance officers, the Financial Manager role of JustGrants."""
    return award.task_force_id in task_force_ids(user, roles=(Membership.Role.FINANCE_OFFICER,))


def can_propose_supplement(user) -> bool:
    """Supplements add federal funds from an appropriation: a program-office action."""
    return is_program_manager(user)


def can_decide_budget_change(user, *, supplement: bool) -> bool:
    """Approve or reject a budget modification (a program manager) or a supplement (a
    program manager or a financial approver, who clears the funding). Never the person
    who asked: the services refuse that whatever roles the person holds."""
    if supplement:
        return is_program_office(user)
    return is_program_manager(user)


def can_request_extension(user, award) -> bool:
    """No-cost extensions: the task force's finance officers and grant administrators."""
    return award.task_force_id in task_force_ids(
        user, roles=(Membership.Role.FINANCE_OFFICER, Membership.Role.GRANT_ADMINISTRATOR)
    )


def can_decide_amendments(user) -> bool:
    """Approve or reject a no-cost extension."""
    return is_program_manager(user)


def can_record_administrative_change(user, award) -> bool:
    """Contacts and recipient details: a program manager or the task force's grant
    administrator."""
    return is_program_manager(user) or award.task_force_id in task_force_ids(
        user, roles=(Membership.Role.GRANT_ADMINISTRATOR,)
    )


def can_record_indirect_rates(user) -> bool:
    """Indirect cost rate agreements of recipients: program staff (program managers and
    financial approvers). Everyone who reads a recipient's awards reads them."""
    return is_program_office(user)


def recipient_ids(user) -> set[int]:
    """The recipients whose staff the user is: the lead organizations of the task forces
    the user is a member of."""
    return set(
        TaskForce.objects.filter(pk__in=task_force_ids(user)).values_list(
            "lead_organization_id", flat=True
        )
    )


def can_view_risk_reviews(user) -> bool:
    """Risk reviews of recipients (2 CFR 200.206) are the agency's own assessment: the
    program office and auditors read them; a recipient sees what follows from them, its
    special conditions and monitoring, on its awards."""
    return sees_every_task_force(user)


def can_manage_oversight(user) -> bool:
    """Record risk reviews, impose special conditions, plan monitoring and record
    findings: program managers."""
    return is_program_manager(user)


def can_decide_risk_review(user, recipient_id: int) -> bool:
    """A program manager decides and signs a risk review, unless the manager is on the
    reviewed recipient's own staff (services refuse that with its own message)."""
    return is_program_manager(user) and recipient_id not in recipient_ids(user)


def can_clear_special_condition(user, condition) -> bool:
    """One condition (a form's POST); a page of them reads special_conditions_to_clear."""
    return condition.pk in special_conditions_to_clear(user, [condition])


def special_conditions_to_clear(user, conditions) -> set[int]:
    """The primary keys of those of `conditions` the user may clear: the role a condition
    names clears it; never the recipient's own staff. The user's task forces are read
    once for all the rows of a page, not once a row."""
    own = task_force_ids(user)
    return {
        condition.pk
        for condition in conditions
        if condition.award.task_force_id not in own
        and (
            is_financial_approver(user)
            if condition.clearer_role == FINANCIAL_APPROVER
            else is_program_manager(user)
        )
    }


def can_submit_corrective_action(user, award) -> bool:
    """A corrective action plan for a monitoring finding: the task force's own finance
    officers and grant administrators."""
    return award.task_force_id in task_force_ids(
        user, roles=(Membership.Role.FINANCE_OFFICER, Membership.Role.GRANT_ADMINISTRATOR)
    )


def can_view_allocations(user) -> bool:
    """Formula allocation scenarios and factor data. They are pre-decisional and compare
    every task force, so task-force staff see none of them (not even their own line);
    what a published run gives them arrives as their draft award."""
    return sees_every_task_force(user)


def can_manage_allocations(user) -> bool:
    """Enter and import factor data, create scenarios, waive match, publish a run."""
    return is_program_manager(user)


def can_review_access(user) -> bool:
    """The access review (every account, its roles and sign-ins): the program office,
    auditors and system administrators."""
    return sees_every_task_force(user) or can_administer_accounts(user)


def can_administer_accounts(user) -> bool:
    """Unlock a locked-out sign-in: system administrators only."""
    return (
        user.is_authenticated
        and user.is_active
        and (user.is_superuser or SYSTEM_ADMINISTRATOR in _groups(user))
    )


def can_attach_documents(user, *, acts_on_parent: bool) -> bool:
    """Attach a document to an award, report, budget change or amendment: the program
    office, or whoever may act on that record for its task force (`acts_on_parent`: files
    the report, proposes the budget change, requests the amendment...). Auditors read and
    download attachments; they attach nothing."""
    return is_program_office(user) or acts_on_parent


def can_discuss_report(user, *, files_it: bool) -> bool:
    """Comment on a returned report's thread: the program managers who review reports,
    and the task-force staff who file it (`files_it`)."""
    return is_program_manager(user) or files_it


def require(allowed: bool, message: str = "You do not have permission to do that.") -> None:
    if not allowed:
        raise PermissionDenied(message)


def role_names(user) -> list[str]:
    """What to call the user's roles on screen."""
    if isinstance(user, AnonymousUser) or not user.is_authenticated:
        return []
    names = sorted(_groups(user))
    for _, role, task_force in _membership_rows(user):
        names.append(f"{Membership.Role(role).label}, {task_force}")
    if user.is_superuser and SYSTEM_ADMINISTRATOR not in names:
        names.append(SYSTEM_ADMINISTRATOR)
    return names
