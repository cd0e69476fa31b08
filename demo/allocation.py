"""Demonstration allocation: invented factor data for a fiscal year, the published
allocation that made that year's awards, and a draft scenario beside it to compare.

The factor values are invented [I], deterministic numbers of a plausible size; they are
not published statistics, and the demo says so where it shows them.
"""

import hashlib
from decimal import Decimal

from allocations.forms import DEFAULT_WEIGHTS
from allocations.formula import FloorMode
from allocations.models import AllocationRun, FactorData
from allocations.services import (
    FactorValues,
    factor_data_import,
    run_create,
    run_publish,
    run_waive_match,
)
from grants.models import Appropriation, Award, TaskForce

DEMO_NOTE = "Demonstration: factor data and weights are invented [I], not OJJDP's."


def _number(seed: str, low: int, high: int) -> int:
    value = int(hashlib.sha256(seed.encode()).hexdigest(), 16)
    return low + value % (high - low + 1)


def demo_factor_rows(task_forces: list[TaskForce], fiscal_year: int) -> list[FactorValues]:
    rows = []
    for task_force in task_forces:
        seed = f"{task_force.code}-{fiscal_year}"
        rows.append(
            FactorValues(
                task_force,
                {
                    "population": _number(seed + "p", 580_000, 39_000_000),
                    "leads": _number(seed + "l", 400, 22_000),
                    "cases_referred": _number(seed + "c", 40, 1_600),
                    "prosecutions": _number(seed + "s", 15, 900),
                    "training": _number(seed + "t", 80, 7_500),
                    "need_score": Decimal(_number(seed + "n", 100, 10_000)) / 100,
                },
            )
        )
    return rows


def publish_demo_allocation(
    pm, appropriation: Appropriation, task_forces: list[TaskForce], pool: Decimal
) -> list[Award]:
    """The year's awards, made by publishing an allocation; a draft scenario is left
    beside it. Returns the new draft awards by award number (none if already done)."""
    year = appropriation.fiscal_year
    if AllocationRun.objects.filter(fiscal_year=year).exists():
        return []
    if not FactorData.objects.filter(fiscal_year=year).exists():
        factor_data_import(
            actor=pm,
            fiscal_year=year,
            rows=demo_factor_rows(task_forces, year),
            filename="demonstration data",
            source="Demonstration data, invented [I]: not published statistics",
        )
    common = {
        "actor": pm,
        "appropriation": appropriation,
        "pool": pool,
        "floor_pct": Decimal("0.5"),
        "match_pct": Decimal("25"),
        "notes": DEMO_NOTE,
    }
    adopted = run_create(
        name="Adopted: population-weighted",
        formula_pct=Decimal("75"),
        floor_mode=FloorMode.ADDITIVE,
        weights=DEFAULT_WEIGHTS,
        **common,
    )
    # A scenario considered and not adopted, made before publishing took the money.
    run_create(
        name="Leads-weighted, 80% formula",
        formula_pct=Decimal("80"),
        floor_mode=FloorMode.MINIMUM,
        weights={
            "population": Decimal("20"),
            "leads": Decimal("40"),
            "cases_referred": Decimal("20"),
            "prosecutions": Decimal("10"),
            "training": Decimal("10"),
        },
        **common,
    )
    hardship = adopted.lines.order_by("task_force__code").first()
    run_waive_match(
        actor=pm,
        run=adopted,
        task_force=hardship.task_force,
        reason="Financial hardship: county hiring freeze (demonstration)",
    )
    run_publish(actor=pm, run=adopted)
    return list(
        Award.objects.filter(allocation_line__run=adopted)
        .select_related("task_force")
        .order_by("award_number")
    )
