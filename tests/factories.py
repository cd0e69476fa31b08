"""Plain builders for test data. They go through the services wherever a rule applies."""

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import Group, User

from budgets.services import LineInput, award_create_with_budget
from grants.models import Appropriation, Membership, Recipient, TaskForce
from grants.services import FundingRequest, appropriation_create

PASSWORD = "a-long-test-password"
_counter = {"n": 0}


def _next() -> int:
    _counter["n"] += 1
    return _counter["n"]


def make_user(username: str, *, groups=(), memberships=()) -> User:
    user = User.objects.create_user(
        username=username, password=PASSWORD, email=f"{username}@example.gov"
    )
    for name in groups:
        user.groups.add(Group.objects.get(name=name))
    for task_force, role in memberships:
        Membership.objects.create(user=user, task_force=task_force, role=role)
    return user


def make_recipient(name: str = "Example State Police", **fields) -> Recipient:
    n = _next()
    uei = fields.pop("uei", f"TEST{n:08d}".replace("0", "A").replace("I", "J").replace("O", "P"))
    return Recipient.objects.create(
        legal_name=name,
        uei=uei,
        ein=fields.pop("ein", f"12-{n:07d}"),
        state=fields.pop("state", "VA"),
        **fields,
    )


def make_task_force(name: str, code: str, state: str = "VA") -> TaskForce:
    return TaskForce.objects.create(
        code=code,
        name=name,
        state=state,
        lead_organization=make_recipient(f"{name} lead agency", state=state),
    )


def make_appropriation(
    actor, *, fiscal_year=2025, amount="1000000.00", set_aside="100000.00"
) -> Appropriation:
    return appropriation_create(
        actor=actor,
        fiscal_year=fiscal_year,
        name="ICAC Task Force Program",
        source="Test public law",
        source_status=Appropriation.SourceStatus.OFFICIAL,
        amount=Decimal(amount),
        available_from=date(fiscal_year - 1, 10, 1),
        # Available until expended, so that a test run on any day can award from it;
        # periods of availability have tests of their own.
        available_until=None,
        set_asides={"training": Decimal(set_aside)} if Decimal(set_aside) else {},
    )


def budget_for(amount: Decimal) -> list[LineInput]:
    """Personnel 60%, travel the rest: adds up exactly to `amount`."""
    personnel = (amount * Decimal("0.6")).quantize(Decimal("0.01"))
    return [
        LineInput("A", personnel, Decimal("0.00"), "Investigators"),
        LineInput("C", amount - personnel, Decimal("0.00"), "Training travel"),
    ]


def make_award(actor, *, task_force, appropriation, amount="200000.00", number=None, **fields):
    amount = Decimal(amount)
    return award_create_with_budget(
        actor=actor,
        lines=fields.pop("lines", budget_for(amount)),
        award_number=number or f"15PJDP-25-GK-{_next():05d}-MECP",
        title=fields.pop("title", "ICAC Task Force Program"),
        task_force=task_force,
        period_start=fields.pop("period_start", date(2024, 10, 1)),
        period_end=fields.pop("period_end", date(2026, 9, 30)),
        funding=[FundingRequest(appropriation.pk, amount)],
        **fields,
    )
