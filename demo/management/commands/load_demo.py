"""Load the demo program: task forces, appropriations since FY1998, awards with budgets,
people in every role. Safe to run again: what exists is left as it is."""

import hashlib
from datetime import date
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, User
from django.core.management.base import BaseCommand
from django.db import connection
from django.utils import timezone

from budgets.cash_holds import sync_excess_cash_holds
from budgets.services import LineInput, award_create_with_budget, budget_version_create
from demo.allocation import publish_demo_allocation
from demo.budget_changes import budget_changes
from demo.history import award_number, load_history
from demo.indirect import record_rates
from demo.ledger import pending_request, post_history, post_match
from demo.national import NationalLedgers
from demo.program import funding_rows, task_force_rows
from demo.reports import file_history
from demo.second_factors import DEMO_TOTP_SECRET, current_code, enrol_demo_app
from grants import access
from grants.audit import audit_chain_held
from grants.models import (
    ASSISTANCE_LISTING,
    Amendment,
    Appropriation,
    Award,
    Membership,
    Recipient,
    SetAside,
    TaskForce,
    fiscal_year_of,
)
from grants.money import ZERO, round_money
from grants.progress import Progress
from grants.selectors import appropriation_available
from grants.services import (
    FundingRequest,
    amendment_record,
    appropriation_create,
    award_mark_closed,
    award_transition,
    hold_lift,
    hold_place,
)
from reports.services import place_delinquency_holds

DEMO_PASSWORD = "icac-demo-password"

# The first cohort, spring 1999, funded from the opening appropriation
# (docs/rules/program-and-funding.md#the-first-task-forces).
FIRST_COHORT = [
    "va-southern-virginia",
    "fl-south-florida",
    "co-colorado",
    "tx-north-texas",
    "il-illinois",
    "ny-new-york-state",
    "nh-new-hampshire",
    "ca-sacramento",
    "sc-south-carolina",
    "wi-wisconsin",
]
# Demonstration set-asides, as shares of each appropriation [I: not published].
SET_ASIDE_SHARES = {
    SetAside.Kind.TRAINING: Decimal("0.10"),
    SetAside.Kind.NATIONAL: Decimal("0.04"),
    SetAside.Kind.MANAGEMENT: Decimal("0.02"),
}
# How a demo award's federal amount is spread over the budget categories.
BUDGET_SHARES = [
    ("A", Decimal("0.45"), "Investigators and forensic examiners (salary × % time)"),
    (
        "B",
        Decimal("0.18"),
        "Fringe on project time; overtime fringe limited to FICA, workers' comp, unemployment",
    ),
    ("C", Decimal("0.05"), "Training travel (ICAC national conference, regional trainings)"),
    ("D", Decimal("0.09"), "Forensic workstations and mobile extraction kits"),
    ("E", Decimal("0.04"), "Storage media, software licences under the equipment threshold"),
    ("H", Decimal("0.04"), "Digital forensics contractor"),
    ("I", Decimal("0.05"), "Community outreach materials, affiliate agency support"),
    ("J", Decimal("0.07"), "Indirect costs at the lead agency's rate, of the MTDC base"),
]
ROLE_USERS = [
    # username, first, last, group
    ("pm", "Pat", "Morgan", access.PROGRAM_MANAGER),
    ("approver", "Frances", "Avery", access.FINANCIAL_APPROVER),
    ("auditor", "Alex", "Ortiz", access.AUDITOR),
]
# username, first, last, task force, role
MEMBER_USERS = [
    ("officer.la", "Lena", "Alvarez", "ca-los-angeles", Membership.Role.FINANCE_OFFICER),
    ("officer.ny", "Noah", "Young", "ny-new-york-state", Membership.Role.FINANCE_OFFICER),
    ("gadmin.la", "Gabe", "Lee", "ca-los-angeles", Membership.Role.GRANT_ADMINISTRATOR),
]


def _digits(seed: str, n: int) -> str:
    return str(int(hashlib.sha256(seed.encode()).hexdigest(), 16))[:n]


def demo_uei(seed: str) -> str:
    """A well-formed but fictitious UEI, stable for a given seed."""
    alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ123456789"
    number = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    chars = []
    for _ in range(12):
        number, index = divmod(number, len(alphabet))
        chars.append(alphabet[index])
    return "".join(chars)


class Command(BaseCommand):
    help = "Load the demo program (safe to run again) and print a log-in for each role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--history",
            action="store_true",
            help="Also record the program's past: an award to each task force of the day "
            "for every fiscal year from FY1999 to four years ago, and the Recovery Act "
            "awards of FY2009, closed with invented final figures (about 1,400 awards; "
            "a few minutes more).",
        )
        parser.add_argument(
            "--national",
            action="store_true",
            help="The history at national scale (implies --history): each past award's "
            "ledger posted entry by entry through the rule-checked ledger import, about a "
            "million invented entries in all, one award with about 100,000 (under ten "
            "minutes on two cores with PostgreSQL).",
        )
        parser.add_argument(
            "--national-scale",
            type=float,
            default=1.0,
            help="With --national, the share of its entries to post (0.1: about a tenth), "
            "for a quicker run or a benchmark (scripts/bench_national.py).",
        )

    def handle(self, *args, history=False, national=False, national_scale=1.0, **options):
        self.with_history = history or national
        self.national, self.national_scale = national, national_scale
        self.national_ledgers_built = None
        started = timezone.now()
        self.progress = progress = Progress(self.stdout, options["verbosity"])
        # One transaction, so a failed load leaves nothing half made; it records thousands
        # of audit events, so the chain's head is held through it (grants.audit).
        with audit_chain_held():
            with progress.phase("People") as phase:
                pm = self.people()
                phase.summary = f"{len(ROLE_USERS) + 1} program staff"
            with progress.phase("Task forces") as phase:
                task_forces = self.task_forces()
                self.grant_administrators(task_forces)
                phase.summary = f"{len(task_forces)} task forces with their people"
            with progress.phase("Appropriations") as phase:
                appropriations = self.appropriations(pm)
                phase.summary = f"{len(appropriations)} fiscal years"
            with progress.phase("Indirect cost rates"):
                record_rates(pm, task_forces, current=fiscal_year_of(timezone.localdate()))
            created = self.awards(pm, task_forces, appropriations)
        if connection.vendor == "postgresql":
            # The planner's row counts, taken by autovacuum while the tables were filling,
            # are far below what was loaded: with them the dashboard's cash check scanned
            # every per-day total (48 ms) instead of the active awards' (2 ms).
            with progress.phase("Planner statistics (ANALYZE)"), connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        seconds = (timezone.now() - started).total_seconds()
        if options["verbosity"] < 1:
            return
        self.stdout.write(
            f"Demo program ready: {TaskForce.objects.count()} task forces, "
            f"{Appropriation.objects.count()} appropriations, {Award.objects.count()} awards "
            f"({created} new) in {seconds:.1f} s."
        )
        self.stdout.write(f"Sign in with the password '{DEMO_PASSWORD}' as:")
        for username, _first, _last, group in ROLE_USERS:
            self.stdout.write(f"  {username:<12} {group}")
        for username, _first, _last, code, role in MEMBER_USERS:
            self.stdout.write(
                f"  {username:<12} {Membership.Role(role).label}, {TaskForce.objects.get(code=code).name}"
            )
        self.stdout.write(f"  {'admin':<12} System administrator (Django admin at /admin/)")
        if settings.DEBUG:
            for user in User.objects.all():  # the demo program's people
                enrol_demo_app(user)
            self.stdout.write(
                "Second factor (demo only): every demo account has an authenticator app with "
                f"the key {DEMO_TOTP_SECRET}; add it to an app, or use the code now: "
                f"{current_code()}. Program staff may use it only when the server runs with "
                "DJANGO_MFA_DEMO_TOTP_FOR_STAFF=1 (make run sets it); passkeys work at "
                "http://localhost:8000 (not 127.0.0.1)."
            )

    # --- people -----------------------------------------------------------------

    def _user(self, username, first, last, **extra) -> User:
        user, created = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@example.gov",
                **extra,
            },
        )
        if created:
            # One hash for every demo account: hashing is deliberately slow (PBKDF2).
            if not hasattr(self, "_password_hash"):
                self._password_hash = make_password(DEMO_PASSWORD)
            user.password = self._password_hash
            user.save(update_fields=["password"])
        return user

    def people(self) -> User:
        for username, first, last, group in ROLE_USERS:
            self._user(username, first, last).groups.add(Group.objects.get(name=group))
        admin = self._user("admin", "Sam", "Admin", is_staff=True, is_superuser=True)
        admin.groups.add(Group.objects.get(name=access.SYSTEM_ADMINISTRATOR))
        return User.objects.get(username="pm")

    def grant_administrators(self, task_forces: dict[str, TaskForce]) -> None:
        for username, first, last, code, role in MEMBER_USERS:
            user = self._user(username, first, last)
            Membership.objects.get_or_create(user=user, task_force=task_forces[code], role=role)
        # Every task force has a grant administrator who accepts its awards.
        for code, task_force in task_forces.items():
            if not task_force.memberships.filter(role=Membership.Role.GRANT_ADMINISTRATOR).exists():
                user = self._user(f"gadmin.{code}", "Grant", "Administrator")
                Membership.objects.create(
                    user=user, task_force=task_force, role=Membership.Role.GRANT_ADMINISTRATOR
                )

    # --- task forces ------------------------------------------------------------

    def task_forces(self) -> dict[str, TaskForce]:
        result = {}
        for row in task_force_rows():
            recipient, _ = Recipient.objects.get_or_create(
                uei=demo_uei(row.lead_agency),
                defaults={
                    "legal_name": row.lead_agency,
                    "ein": f"{_digits(row.lead_agency, 2)}-{_digits('ein' + row.lead_agency, 7)}",
                    "state": row.state,
                    "street": "",
                    "city": "",
                    "fiscal_year_end_month": 6,
                    "fiscal_year_end_day": 30,
                    # One recipient keeps its books on the cash basis (SF-425 line 7).
                    "accounting_basis": "cash" if row.code == "ny-new-york-state" else "accrual",
                },
            )
            task_force, _ = TaskForce.objects.get_or_create(
                code=row.code,
                defaults={
                    "name": row.name,
                    "state": row.state,
                    "lead_organization": recipient,
                    "source_url": row.source_url,
                    "note": row.note,
                },
            )
            result[row.code] = task_force
        return result

    # --- appropriations ---------------------------------------------------------

    def appropriation_plan(self) -> list[dict]:
        """One appropriation a year from FY1998 to the current fiscal year: the published
        figure where there is one, a clearly labelled estimate elsewhere."""
        rows = funding_rows()
        known: dict[int, dict] = {}
        extras = []
        for row in rows:
            if "Recovery Act" in row.what_it_is:
                extras.append(row)
            elif row.fiscal_year not in known:  # FY1998: the program description's $25M first
                known[row.fiscal_year] = {"amount": row.amount, "row": row}
        current = fiscal_year_of(timezone.localdate())
        years = sorted(known)
        plan = []
        for year in range(1998, current + 1):
            if year in known:
                row = known[year]["row"]
                plan.append(
                    {
                        "fiscal_year": year,
                        "name": "ICAC Task Force Program",
                        "amount": row.amount,
                        "source": f"{row.source}: {row.what_it_is}",
                        "source_status": {
                            "official": Appropriation.SourceStatus.OFFICIAL,
                            "secondary": Appropriation.SourceStatus.SECONDARY,
                        }.get(row.status, Appropriation.SourceStatus.PROGRAM_DESCRIPTION),
                    }
                )
                continue
            before = max((y for y in years if y < year), default=None)
            after = min((y for y in years if y > year), default=None)
            if after is None:
                amount = known[before]["amount"]
                how = f"carried forward from FY{before}"
            else:
                a, b = known[before]["amount"], known[after]["amount"]
                amount = round_money(a + (b - a) * (year - before) / (after - before))
                amount = amount.quantize(Decimal("1E3"))
                how = f"interpolated between FY{before} and FY{after}"
            plan.append(
                {
                    "fiscal_year": year,
                    "name": "ICAC Task Force Program",
                    "amount": amount,
                    "source": f"Demonstration estimate, {how}; no published figure",
                    "source_status": Appropriation.SourceStatus.ESTIMATE,
                }
            )
        for row in extras:
            plan.append(
                {
                    "fiscal_year": row.fiscal_year,
                    "name": "ICAC Recovery Act (ARRA)",
                    "amount": row.amount,
                    "source": f"{row.source}: {row.what_it_is}",
                    "source_status": Appropriation.SourceStatus.OFFICIAL,
                    "public_law": "P.L. 111-5",
                    # Recovery Act money is its own program (Assistance Listing 16.800).
                    "assistance_listing": "16.800",
                }
            )
        return plan

    def appropriations(self, pm: User) -> dict[int, Appropriation]:
        result = {}
        for item in self.appropriation_plan():
            existing = Appropriation.objects.filter(
                fiscal_year=item["fiscal_year"], name=item["name"]
            ).first()
            if existing is None:
                year = item["fiscal_year"]
                existing = appropriation_create(
                    actor=pm,
                    fiscal_year=year,
                    name=item["name"],
                    source=item["source"],
                    source_status=item["source_status"],
                    amount=item["amount"],
                    public_law=item.get("public_law", "P.L. 105-119" if year == 1998 else ""),
                    assistance_listing=item.get("assistance_listing", ASSISTANCE_LISTING),
                    available_from=date(year - 1, 10, 1),
                    available_until=date(year + 1, 9, 30),
                    notes="Set-asides are demonstration estimates (10% training, 4% national initiatives, 2% management).",
                    set_asides={
                        k: round_money(item["amount"] * share)
                        for k, share in SET_ASIDE_SHARES.items()
                    },
                )
            if existing.name == "ICAC Task Force Program":
                result[existing.fiscal_year] = existing
        return result

    # --- awards -----------------------------------------------------------------

    def budget_lines(self, federal: Decimal, match: Decimal) -> list[LineInput]:
        lines, allocated = [], ZERO
        for code, share, narrative in BUDGET_SHARES[1:]:
            amount = round_money(federal * share)
            allocated += amount
            lines.append(LineInput(code, amount, ZERO, narrative))
        code, _, narrative = BUDGET_SHARES[0]
        # Personnel takes the rounding remainder so the lines add up to the award exactly.
        lines.insert(0, LineInput(code, federal - allocated, match, narrative))
        return lines

    def _create(
        self, pm, *, number, title, task_force, start, end, appropriation, amount, match=ZERO
    ):
        if Award.objects.filter(award_number=number).exists():
            return None
        return award_create_with_budget(
            actor=pm,
            lines=self.budget_lines(amount, match),
            award_number=number,
            title=title,
            task_force=task_force,
            period_start=start,
            period_end=end,
            match_required=match,
            funding=[FundingRequest(appropriation.pk, amount)],
            ug_version=Award.UniformGuidance.in_force_on(start),
            # A past award was made when its period began; a future one is made today.
            today=min(start, timezone.localdate()),
        )

    def _advance(self, pm, award, to_status):
        """Walk a new award along its lifecycle to `to_status`, as the people would."""
        path = [
            Award.Status.OFFERED,
            Award.Status.ACCEPTED,
            Award.Status.ACTIVE,
            Award.Status.IN_CLOSEOUT,
            Award.Status.CLOSED,
        ]
        for status in path[: path.index(to_status) + 1]:
            actor = pm
            if status == Award.Status.ACCEPTED:
                actor = (
                    award.task_force.memberships.filter(role=Membership.Role.GRANT_ADMINISTRATOR)
                    .first()
                    .user
                )
            if status == Award.Status.CLOSED:
                # Awards from before the system: closed without a checklist on file.
                award = award_mark_closed(actor=actor, award=award)
            else:
                award = award_transition(
                    actor=actor,
                    award=award,
                    to_status=status,
                    terms_accepted=True,
                    typed_name=actor.get_full_name() or actor.get_username(),
                )
        return award

    def awards(self, pm, task_forces, appropriations) -> int:
        created = 0
        progress = self.progress
        # FY1998: the first cohort, from the opening appropriation.
        with progress.phase("Awards FY1998 (first cohort)", total=len(FIRST_COHORT)) as phase:
            created += self.first_cohort(pm, task_forces, appropriations, phase)
        current = fiscal_year_of(timezone.localdate())
        if self.with_history:  # the years between: past awards with final figures
            with progress.phase(f"Past awards FY1999-FY{current - 3}") as phase:
                made = load_history(
                    actor=pm,
                    task_forces=task_forces,
                    first_cohort=FIRST_COHORT,
                    until=current - 3,
                    today=timezone.localdate(),
                    progress=progress.say,
                    ledger_of=self.national_ledgers(pm, current - 3),
                )
                created += made
                phase.summary = f"{made} awards"
                if self.national_ledgers_built is not None:
                    phase.summary += f", {self.national_ledgers_built.entries:,} ledger entries"
        # The last three fiscal years: every task force.
        codes = sorted(task_forces)
        plan = {
            current - 2: Award.Status.IN_CLOSEOUT,
            current - 1: Award.Status.ACTIVE,
            current: None,
        }
        for year, status in plan.items():
            appropriation = appropriations[year]
            pool = appropriation_available(appropriation)
            if pool <= 0 or Award.objects.filter(fiscal_year=year).exists():
                progress.say(f"Awards FY{year}: already there")
                continue
            with progress.phase(f"Awards FY{year}", total=len(codes)) as phase:
                if year == current:  # this year's awards come from its published allocation
                    made = self.allocated_awards(pm, task_forces, appropriation, pool, phase)
                else:
                    made = self.year_awards(
                        pm, task_forces, codes, year, status, appropriation, pool, phase
                    )
                created += made
                phase.summary = f"{made} awards"
        with progress.phase("Ledgers") as phase:
            self.ledgers(current, phase)
        with progress.phase("Reports filed") as phase:
            self.reports(pm, current, phase)
        with progress.phase("Holds and amendments"):
            self.holds_and_amendments(pm, current)
        with progress.phase("Budget changes"):
            budget_changes(year=current - 1, today=timezone.localdate())
        # The daily run's holds: late reports, and cash held past the period.
        with progress.phase("Daily holds (late reports, excess cash)"):
            place_delinquency_holds(today=timezone.localdate())
            sync_excess_cash_holds(today=timezone.localdate())
        return created

    def national_ledgers(self, pm, until: int) -> NationalLedgers | None:
        """With --national, each past award's ledger in detail; the large one is the last
        past year's award to the first task force of the first cohort."""
        if not self.national:
            return None
        self.national_ledgers_built = NationalLedgers(
            actor=pm,
            today=timezone.localdate(),
            scale=self.national_scale,
            large=award_number(until, 1),
            progress=self.progress.say,
        )
        return self.national_ledgers_built

    def first_cohort(self, pm, task_forces, appropriations, phase) -> int:
        created = 0
        for i, code in enumerate(FIRST_COHORT, start=1):
            award = self._create(
                pm,
                number=f"1998-MC-CX-K{i:03d}",
                title="Internet Crimes Against Children Task Force (first cohort)",
                task_force=task_forces[code],
                start=date(1998, 10, 1),
                end=date(2000, 9, 30),
                appropriation=appropriations[1998],
                amount=Decimal("1500000.00"),
            )
            if award:
                created += 1
                self._advance(pm, award, Award.Status.CLOSED)
            phase.step()
        phase.summary = f"{created} awards"
        return created

    def year_awards(self, pm, task_forces, codes, year, status, appropriation, pool, phase) -> int:
        """An award to every task force from the year's appropriation, moved to `status`."""
        created = 0
        weights = {code: Decimal(70 + int(_digits(code, 2)) % 60) for code in codes}
        total_weight = sum(weights.values())
        budget = pool * Decimal("0.97")  # keep a little back, as the program office does
        for index, code in enumerate(codes, start=1):
            phase.step()
            amount = (budget * weights[code] / total_weight).quantize(Decimal("1E3"))
            match = round_money(amount * Decimal("0.05")) if index % 5 == 0 else ZERO
            award = self._create(
                pm,
                number=f"15PJDP-{year % 100:02d}-GK-{index:05d}-MECP",
                title=f"FY{year} Internet Crimes Against Children Task Force Program",
                task_force=task_forces[code],
                start=date(year - 1, 10, 1),
                end=date(year + 1, 9, 30),
                appropriation=appropriation,
                amount=amount,
                match=match,
            )
            if award is None:
                continue
            created += 1
            self._advance(pm, award, status)
        return created

    def allocated_awards(self, pm, task_forces, appropriation, pool, phase) -> int:
        """Publish the year's formula allocation (with a draft scenario beside it), then
        give each award its budget and move it along as the people would."""
        budget = (pool * Decimal("0.97")).quantize(Decimal("1E3"))  # a little kept back
        awards = publish_demo_allocation(
            pm, appropriation, [task_forces[c] for c in sorted(task_forces)], budget
        )
        for index, award in enumerate(awards, start=1):
            phase.step()
            budget_version_create(
                actor=pm,
                award=award,
                lines=self.budget_lines(award.federal_amount, award.match_required),
                approve=True,
                note="Initial budget",
            )
            target = [Award.Status.ACTIVE, Award.Status.ACCEPTED, Award.Status.OFFERED, None][
                index % 4
            ]
            if target is not None:
                self._advance(pm, award, target)
        return len(awards)

    def ledgers(self, current: int, phase) -> None:
        """Money moving on a few awards of the last two years (see demo/ledger.py)."""
        approver = User.objects.get(username="approver")
        today = timezone.localdate()
        plan = {
            current - 1: [
                "ca-los-angeles",
                "ny-new-york-state",
                "co-colorado",
                "tx-north-texas",
                "fl-south-florida",
                "wi-wisconsin",
            ],
            current - 2: [
                "ca-los-angeles",
                "ny-new-york-state",
                "co-colorado",
                "va-southern-virginia",
            ],
        }
        for year, codes in plan.items():
            for code in codes:
                award = Award.objects.filter(fiscal_year=year, task_force__code=code).first()
                if award is None:
                    continue
                post_history(
                    award,
                    approver=approver,
                    today=today,
                    leave_excess_cash=(year == current - 1 and code == "ca-los-angeles"),
                    with_reversal=(code == "co-colorado"),
                    with_program_income=(code == "co-colorado"),
                    with_interest=(year == current - 1 and code == "ca-los-angeles"),
                )
                phase.step()
        matched = (
            Award.objects.filter(
                fiscal_year=current, status=Award.Status.ACTIVE, match_required__gt=0
            )
            .order_by("award_number")
            .first()
        )
        if matched:
            post_match(matched, today=today)
        texas = Award.objects.filter(
            fiscal_year=current - 1, task_force__code="tx-north-texas"
        ).first()
        if texas:
            pending_request(texas, today=today)
        phase.summary = f"{phase.done} awards' histories posted"

    def reports(self, pm, current: int, phase) -> None:
        """Reports filed on every award owing them, with a few in other states."""
        today = timezone.localdate()
        special = {
            (current - 1, "co-colorado"): {"skip_last": True},  # late: a hold follows
            (current - 1, "wi-wisconsin"): {"late_progress": True},
            (current - 1, "tx-north-texas"): {"leave_last_unreviewed": True},
            (current - 2, "ny-new-york-state"): {"return_last": True},
        }
        awards = Award.objects.filter(
            status__in=[Award.Status.ACTIVE, Award.Status.IN_CLOSEOUT]
        ).select_related("task_force")
        phase.total = awards.count()
        for award in awards.order_by("award_number"):
            phase.step()
            file_history(
                award,
                pm=pm,
                today=today,
                **special.get((award.fiscal_year, award.task_force.code), {}),
            )
        phase.summary = f"on {phase.total} awards"

    def holds_and_amendments(self, pm, current: int) -> None:
        active = Award.objects.filter(fiscal_year=current - 1).order_by("award_number")
        if not active.exists() or Amendment.objects.exists():
            return
        on_hold = active.filter(task_force__code="ny-new-york-state").first() or active.first()
        hold_place(
            actor=pm, award=on_hold, reason="Monitoring finding: equipment inventory not provided"
        )
        lifted = active.exclude(pk=on_hold.pk).first()
        hold = hold_place(actor=pm, award=lifted, reason="Single audit report overdue")
        hold_lift(actor=pm, hold=hold, reason="Single audit report received")
        closing = Award.objects.filter(fiscal_year=current - 2).order_by("award_number").first()
        amendment_record(
            actor=pm,
            award=closing,
            kind=Amendment.Kind.ADMINISTRATIVE,
            description="Change of authorized representative",
            requested_on=date(current - 2, 3, 4),
            status=Amendment.Status.APPROVED,
            decided_on=date(current - 2, 3, 11),
            effective_on=date(current - 2, 3, 11),
        )
