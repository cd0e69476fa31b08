"""The program's past years in the demo: an award to each task force of its day for every
fiscal year between the first cohort (FY1998) and the awards the demo keeps open, closed
with final figures. They go in through the history import (budgets.history_import), the
path a program manager's spreadsheet of past awards takes, so every rule of an award,
its funding, its ledger and its closeout holds on them.

Everything here is invented for demonstration [I: not published]: how many task forces
existed in each year, each award's share and how much of it was spent. The appropriations
they draw on carry their own sources (demo/data/program_funding.csv).
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from budgets.history_import import PastAward, import_history
from grants.models import Appropriation, Award, TaskForce
from grants.money import ZERO, round_money
from grants.selectors import appropriation_available

# How many task forces the program funded in a year, from a year on [I: demonstration
# estimate]: the first cohort of ten, growth through the 2000s, all 61 from FY2009.
TASK_FORCES_FROM = [(1998, 10), (2000, 30), (2003, 45), (2007, 59), (2009, 61)]
# A year's awards take this much of what is left of its appropriation, as the program
# office keeps a little back.
AWARDED_SHARE = Decimal("0.97")
TITLE = "FY{year} Internet Crimes Against Children Task Force Program (demonstration history)"
RECOVERY_ACT_TITLE = "ICAC Task Force Program, Recovery Act (demonstration history)"


@dataclass(frozen=True)
class YearPlan:
    fiscal_year: int
    appropriation: Appropriation
    task_forces: list[TaskForce]
    number_format: str
    title: str


def task_forces_in(year: int, task_forces: list[TaskForce], first_cohort: list[str]) -> list:
    """The task forces funded in `year`: the first cohort, then the others in a fixed
    order, as many as the program had that year."""
    count = max(n for since, n in TASK_FORCES_FROM if since <= year)
    first = [t for t in task_forces if t.code in first_cohort]
    others = sorted(
        (t for t in task_forces if t.code not in first_cohort),
        key=lambda t: hashlib.sha256(t.code.encode()).hexdigest(),
    )
    return (first + others)[:count]


def award_number(year: int, index: int, recovery_act: bool = False) -> str:
    """An award number in the form OJP used in that year: "2005-MC-CX-K012" until
    FY2019, the JustGrants form "15PJDP-21-GK-00012-MECP" from FY2020; Recovery Act
    awards "2009-SN-B9-K012"."""
    if recovery_act:
        return f"{year}-SN-B9-K{index:03d}"
    if year < 2020:
        return f"{year}-MC-CX-K{index:03d}"
    return f"15PJDP-{year % 100:02d}-GK-{index:05d}-MECP"


def _share(seed: str, low: int, high: int) -> int:
    return low + int(hashlib.sha256(seed.encode()).hexdigest(), 16) % (high - low + 1)


def past_awards(plan: YearPlan, starting_row: int = 1) -> list[PastAward]:
    """The year's awards, as rows of a history file: the year's money after set-asides
    split by a fixed weight per task force, 90–99.9% of each spent and the rest
    deobligated at closeout."""
    year = plan.fiscal_year
    pool = appropriation_available(plan.appropriation) * AWARDED_SHARE
    weights = {t.code: Decimal(_share(t.code, 70, 130)) for t in plan.task_forces}
    total = sum(weights.values())
    rows = []
    for index, task_force in enumerate(plan.task_forces, start=1):
        amount = (pool * weights[task_force.code] / total).quantize(Decimal("1E3"))
        if amount <= ZERO:
            continue
        spent_per_mille = _share(f"{year}{task_force.code}", 900, 999)
        expended = round_money(amount * spent_per_mille / 1000)
        rows.append(
            PastAward(
                row=starting_row + len(rows),
                award_number=plan.number_format(year, index),
                task_force=task_force,
                fiscal_year=year,
                period_start=date(year - 1, 10, 1),
                period_end=date(year + 1, 9, 30),
                federal_amount=amount,
                appropriation=plan.appropriation,
                expended=expended,
                deobligated=amount - expended,
                title=plan.title,
            )
        )
    return rows


def load_history(
    *,
    actor,
    task_forces: dict[str, TaskForce],
    first_cohort: list[str],
    until: int,
    today: date,
    progress=lambda line: None,
    ledger_of=None,
) -> int:
    """Import the past awards of every fiscal year from FY1999 up to `until` that has
    none yet, and the Recovery Act awards of FY2009; return how many were made. Each
    year imported is told to `progress` as it is done. `ledger_of`
    (history_import.LedgerBuilder, such as demo.national.NationalLedgers) posts each
    award's ledger in detail instead of its final figures in one day."""
    listed = list(task_forces.values())
    plans = []
    for year in range(1999, until + 1):
        appropriation = Appropriation.objects.filter(
            fiscal_year=year, name="ICAC Task Force Program"
        ).first()
        if appropriation is None or Award.objects.filter(fiscal_year=year).exists():
            continue
        plans.append(
            YearPlan(
                year,
                appropriation,
                task_forces_in(year, listed, first_cohort),
                award_number,
                TITLE.format(year=year),
            )
        )
    recovery = Appropriation.objects.filter(assistance_listing="16.800").first()
    if recovery is not None and not recovery.funding_lines.exists():
        plans.append(
            YearPlan(
                recovery.fiscal_year,
                recovery,
                task_forces_in(recovery.fiscal_year, listed, first_cohort),
                lambda year, index: award_number(year, index, recovery_act=True),
                RECOVERY_ACT_TITLE,
            )
        )
    files = [(plan, past_awards(plan)) for plan in plans]
    total = sum(len(rows) for _, rows in files)
    made = 0
    for plan, rows in files:
        result = import_history(
            actor=actor,
            awards=rows,
            filename=f"demonstration history FY{plan.fiscal_year}",
            dry_run=False,
            today=today,
            ledger_of=ledger_of,
        )
        made += len(result.imported)
        progress(
            f"  FY{plan.fiscal_year} {plan.appropriation.name}: "
            f"{len(result.imported)} past awards closed with their final figures"
            + (f" ({ledger_of.summary(total)})" if hasattr(ledger_of, "summary") else "")
        )
    return made
