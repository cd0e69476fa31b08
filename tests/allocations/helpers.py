"""Builders for allocation tests: factor data and scenarios, through the services."""

from decimal import Decimal

from allocations.services import factor_data_set, run_create

WEIGHTS = {
    "population": Decimal("40"),
    "leads": Decimal("20"),
    "cases_referred": Decimal("20"),
    "prosecutions": Decimal("10"),
    "training": Decimal("10"),
}


def factors(value: int, need: str = "1") -> dict:
    return {
        "population": value,
        "leads": value,
        "cases_referred": value,
        "prosecutions": value,
        "training": value,
        "need_score": Decimal(need),
    }


def make_factors(actor, task_force, fiscal_year=2025, value=100, need="1"):
    return factor_data_set(
        actor=actor, task_force=task_force, fiscal_year=fiscal_year, values=factors(value, need)
    )


def make_run(actor, appropriation, *, name="Baseline", pool=None, **overrides):
    values = {
        "formula_pct": Decimal("75"),
        "floor_pct": Decimal("0.5"),
        "match_pct": Decimal("25"),
        "floor_mode": "additive",
        "weights": WEIGHTS,
    }
    values.update(overrides)
    return run_create(
        actor=actor,
        appropriation=appropriation,
        name=name,
        pool=None if pool is None else Decimal(pool),
        **values,
    )


def program_run(program, **kwargs):
    """Factor data for task forces A (3 parts) and B (1 part) in FY2025, and a scenario
    allocating $400,000 of the program's appropriation."""
    make_factors(program.pm, program.task_force_a, value=300, need="3")
    make_factors(program.pm, program.task_force_b, value=100, need="1")
    kwargs.setdefault("pool", "400000.00")
    return make_run(program.pm, program.appropriation, **kwargs)
