"""The ICAC allocation formula (34 U.S.C. 21116) as pure arithmetic: no database here.

The service gives it a pool, the run's parameters and each task force's factor data, and
stores what it returns. All arithmetic is exact: amounts are whole cents (int), shares are
fractions. How cents are rounded is decision record 0003:

- amounts the statute sets a minimum for (the formula funds, the floor, the match) are
  rounded up to the cent, so they are never below the minimum;
- an amount shared out among task forces is split by largest remainder on cents: each
  gets the whole cents of its exact share, and the cents left over go one each to the
  largest fractional remainders (ties: larger share first, then task-force code A to Z).
  The parts therefore add up exactly to the whole, whatever the order of the input.
"""

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from math import ceil, floor

FACTORS = ("population", "leads", "cases_referred", "prosecutions", "training")
FACTOR_LABELS = {
    "population": "Population of the state",
    "leads": "Investigative leads",
    "cases_referred": "Cases referred for prosecution",
    "prosecutions": "Successful prosecutions",
    "training": "Training and outreach delivered",
}
HUNDRED = Fraction(100)


class FloorMode:
    # The worked example (docs/rules/worked-examples.md#formula-allocation): every task force
    # gets the floor, and the rest of the formula funds is shared by weighted factors on top.
    ADDITIVE = "additive"
    # The alternative reading: share all formula funds by weighted factors, then raise
    # any task force below the floor to it, taking the difference from the others.
    MINIMUM = "minimum"
    CHOICES = [
        (ADDITIVE, "Floor plus a weighted share of the rest"),
        (MINIMUM, "Weighted share of everything, raised to the floor"),
    ]


class AllocationError(ValueError):
    """The parameters or data cannot give an allocation. `errors` maps a field name
    ("pool", "formula_pct", "weight_leads", ...) to the messages about it."""

    def __init__(self, errors: dict[str, list[str]]):
        self.errors = errors
        super().__init__(" ".join(m for messages in errors.values() for m in messages))


@dataclass(frozen=True)
class Parameters:
    pool: Decimal
    formula_pct: Decimal
    floor_pct: Decimal
    match_pct: Decimal
    weights: dict[str, Decimal]  # percent per factor; they add up to 100
    floor_mode: str = FloorMode.ADDITIVE
    # The statutory minimums in force for the fiscal year (dated rule values).
    min_formula_pct: Decimal = Decimal("0")
    min_floor_pct: Decimal = Decimal("0")
    min_match_pct: Decimal = Decimal("0")


@dataclass(frozen=True)
class TaskForceInput:
    code: str  # the tie-break key: stable and unique
    factors: dict[str, int]
    need_score: Decimal = Decimal("0")
    match_waived: bool = False


@dataclass(frozen=True)
class Line:
    code: str
    weighted_share: Fraction  # of the weighted factors, 0..1
    floor: int  # cents
    formula_share: int  # cents above the floor
    need_amount: int  # cents
    match_required: int  # cents

    @property
    def formula_total(self) -> int:
        return self.floor + self.formula_share

    @property
    def total(self) -> int:
        return self.floor + self.formula_share + self.need_amount


@dataclass(frozen=True)
class Allocation:
    pool: int
    formula_funds: int
    need_funds: int
    floor: int
    lines: list[Line] = field(default_factory=list)


def cents(amount: Decimal) -> int:
    return int(amount * 100)


def to_money(value: int) -> Decimal:
    return (Decimal(value) / 100).quantize(Decimal("0.01"))


def share_percent(share: Fraction) -> Decimal:
    """A share as a percentage to 5 places, for display only (amounts use the exact share)."""
    value = Decimal(share.numerator * 100) / Decimal(share.denominator)
    return value.quantize(Decimal("0.00001"), rounding=ROUND_HALF_UP)


def _pct(value: Decimal) -> str:
    return f"{value.normalize():f}%"


def split_cents(total: int, shares: dict[str, Fraction]) -> dict[str, int]:
    """Share `total` cents in proportion to `shares` (not all zero), by largest remainder."""
    weight = sum(shares.values(), Fraction(0))
    ideal = {code: total * share / weight for code, share in shares.items()}
    result = {code: floor(value) for code, value in ideal.items()}
    left = total - sum(result.values())
    order = sorted(shares, key=lambda c: (-(ideal[c] - result[c]), -shares[c], c))
    for code in order[:left]:
        result[code] += 1
    return result


def validate(params: Parameters, task_forces: list[TaskForceInput]) -> dict[str, list[str]]:
    """Every reason the parameters cannot be used, by field; empty when they can."""
    errors: dict[str, list[str]] = {}

    def add(name: str, message: str) -> None:
        errors.setdefault(name, []).append(message)

    if params.pool <= 0:
        add("pool", "The pool must be greater than zero.")
    if params.formula_pct < params.min_formula_pct:
        add(
            "formula_pct",
            f"At least {_pct(params.min_formula_pct)} of the pool goes out by formula "
            f"(34 U.S.C. 21116); {_pct(params.formula_pct)} is too little.",
        )
    if params.formula_pct > 100:
        add("formula_pct", "The formula share cannot be more than 100%.")
    if params.floor_pct < params.min_floor_pct:
        add(
            "floor_pct",
            f"Each task force gets at least {_pct(params.min_floor_pct)} of the formula funds "
            f"(34 U.S.C. 21116); {_pct(params.floor_pct)} is too little.",
        )
    if params.floor_pct <= 0 and "floor_pct" not in errors:
        add("floor_pct", "The floor must be greater than zero.")
    if task_forces and params.floor_pct * len(task_forces) > 100:
        add(
            "floor_pct",
            f"{len(task_forces)} floors of {_pct(params.floor_pct)} come to "
            f"{_pct(params.floor_pct * len(task_forces))} of the formula funds, more than all of it.",
        )
    if params.match_pct < params.min_match_pct:
        add(
            "match_pct",
            f"The match on need-based funds is at least {_pct(params.min_match_pct)} "
            f"(34 U.S.C. 21116); {_pct(params.match_pct)} is too little.",
        )
    if params.match_pct > 100:
        add("match_pct", "The match cannot be more than 100% of the need-based funds.")
    for factor in FACTORS:
        if params.weights.get(factor, Decimal(0)) < 0:
            add(f"weight_{factor}", "A weight cannot be negative.")
    total = sum((params.weights.get(f, Decimal(0)) for f in FACTORS), Decimal(0))
    if total != 100:
        add("weights", f"The weights add up to {_pct(total)}; they must add up to 100%.")
    if not task_forces:
        add("pool", "There are no task forces to allocate to.")
    if len({tf.code for tf in task_forces}) != len(task_forces):
        add("pool", "A task force appears twice in the factor data.")
    if errors:
        return errors
    for factor in FACTORS:
        if params.weights[factor] > 0 and not any(tf.factors[factor] for tf in task_forces):
            add(
                f"weight_{factor}",
                f"{FACTOR_LABELS[factor]} has a weight of {_pct(params.weights[factor])}, but "
                "every task force has 0 for it: enter the data or give it no weight.",
            )
    return errors


def weighted_shares(params: Parameters, task_forces: list[TaskForceInput]) -> dict[str, Fraction]:
    """Each task force's share of the weighted factors: the sum over factors of the
    factor's weight times the task force's part of that factor's total. They add up to 1."""
    totals = {f: sum(tf.factors[f] for tf in task_forces) for f in FACTORS}
    shares = {}
    for tf in task_forces:
        share = Fraction(0)
        for factor in FACTORS:
            weight = Fraction(params.weights[factor]) / HUNDRED
            if weight:
                share += weight * Fraction(tf.factors[factor], totals[factor])
        shares[tf.code] = share
    return shares


def _above_floor_minimum_mode(formula: int, floor_cents: int, shares: dict[str, Fraction]) -> dict:
    """Cents above the floor when the floor is a minimum on a weighted share of all the
    formula funds.

    Task forces whose share would fall below the floor get exactly the floor; the others
    share what is left in proportion to their weighted shares, and that is repeated until
    nobody sharing falls below the floor (at most once per task force). Someone always
    keeps sharing, because the floors together never exceed the formula funds."""
    floored: set[str] = set()
    while True:
        sharing = {c: s for c, s in shares.items() if c not in floored}
        rest = formula - floor_cents * len(floored)
        weight = sum(sharing.values(), Fraction(0))
        below = {c for c, s in sharing.items() if rest * s < floor_cents * weight}
        if not below:
            break
        floored |= below
    above = {c: rest * s / weight - floor_cents for c, s in sharing.items()}
    extra = rest - floor_cents * len(sharing)
    result = dict.fromkeys(shares, 0)
    if extra:
        result.update(split_cents(extra, above))
    return result


def allocate(params: Parameters, task_forces: list[TaskForceInput]) -> Allocation:
    """Allocate the pool. Raises AllocationError naming each parameter that is wrong.

    The lines' totals add up to the pool to the cent, and each task force gets at least
    the floor of the formula funds."""
    errors = validate(params, task_forces)
    if errors:
        raise AllocationError(errors)
    pool = cents(params.pool)
    formula = ceil(Fraction(pool) * Fraction(params.formula_pct) / HUNDRED)
    need = pool - formula
    floor_cents = ceil(Fraction(formula) * Fraction(params.floor_pct) / HUNDRED)
    count = len(task_forces)
    if floor_cents * count > formula:
        raise AllocationError(
            {
                "pool": [
                    f"The pool is too small for the floors: {count} task forces × "
                    f"${to_money(floor_cents):,} ({_pct(params.floor_pct)} of the formula funds, "
                    f"${to_money(formula):,}) is ${to_money(floor_cents * count):,}."
                ]
            }
        )
    shares = weighted_shares(params, task_forces)
    if params.floor_mode == FloorMode.MINIMUM:
        above_floor = _above_floor_minimum_mode(formula, floor_cents, shares)
    else:
        above_floor = split_cents(formula - floor_cents * count, shares)

    need_amounts = dict.fromkeys(shares, 0)
    if need:
        scores = {tf.code: Fraction(tf.need_score) for tf in task_forces if tf.need_score > 0}
        if not scores:
            raise AllocationError(
                {
                    "formula_pct": [
                        f"The need-based funds (${to_money(need):,}) have nowhere to go: every "
                        "task force's need score is 0. Enter need scores or put 100% through "
                        "the formula."
                    ]
                }
            )
        need_amounts.update(split_cents(need, scores))

    lines = []
    for tf in sorted(task_forces, key=lambda t: t.code):
        need_amount = need_amounts[tf.code]
        match = (
            0
            if tf.match_waived
            else ceil(Fraction(need_amount) * Fraction(params.match_pct) / HUNDRED)
        )
        lines.append(
            Line(
                code=tf.code,
                weighted_share=shares[tf.code],
                floor=floor_cents,
                formula_share=above_floor[tf.code],
                need_amount=need_amount,
                match_required=match,
            )
        )
    # The promise of this module; a failure here is a bug, never bad input.
    assert sum(line.total for line in lines) == pool
    return Allocation(
        pool=pool, formula_funds=formula, need_funds=need, floor=floor_cents, lines=lines
    )
