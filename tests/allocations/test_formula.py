"""The allocation formula on its own: the worked example, the rounding rule, bad input,
and properties that hold for any pool, factors and weights."""

from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from allocations.formula import (
    FACTORS,
    AllocationError,
    FloorMode,
    Parameters,
    TaskForceInput,
    allocate,
    split_cents,
    to_money,
)

WEIGHTS = {
    "population": Decimal("40"),
    "leads": Decimal("20"),
    "cases_referred": Decimal("20"),
    "prosecutions": Decimal("10"),
    "training": Decimal("10"),
}


def params(pool="36000000.00", **overrides) -> Parameters:
    values = {
        "pool": Decimal(pool),
        "formula_pct": Decimal("75"),
        "floor_pct": Decimal("0.5"),
        "match_pct": Decimal("25"),
        "weights": WEIGHTS,
        "min_formula_pct": Decimal("75"),
        "min_floor_pct": Decimal("0.5"),
        "min_match_pct": Decimal("25"),
    }
    values.update(overrides)
    return Parameters(**values)


def worked_example_task_forces() -> list[TaskForceInput]:
    """61 task forces. "tf-00" has 3.0% of every factor, so a 3.0% weighted share, and a
    need score that gives it $200,000 of the $9,000,000 need-based funds."""
    task_forces = [
        TaskForceInput("tf-00", dict.fromkeys(FACTORS, 300), need_score=Decimal("200000"))
    ]
    for i in range(1, 61):
        # 40 × 162 + 20 × 161 = 9,700: with tf-00's 300, each factor totals 10,000.
        value = 162 if i <= 40 else 161
        need = Decimal("147000") if i <= 40 else Decimal("146000")  # totals 8,800,000
        task_forces.append(TaskForceInput(f"tf-{i:02d}", dict.fromkeys(FACTORS, value), need))
    return task_forces


def test_worked_example_7_1_to_the_cent():
    result = allocate(params(), worked_example_task_forces())
    assert to_money(result.formula_funds) == Decimal("27000000.00")
    assert to_money(result.need_funds) == Decimal("9000000.00")
    assert to_money(result.floor) == Decimal("135000.00")
    assert to_money(result.floor * 61) == Decimal("8235000.00")
    line = next(line for line in result.lines if line.code == "tf-00")
    assert line.weighted_share == Fraction(3, 100)
    assert to_money(line.formula_share) == Decimal("562950.00")
    assert to_money(line.formula_total) == Decimal("697950.00")
    assert to_money(line.need_amount) == Decimal("200000.00")
    assert to_money(line.match_required) == Decimal("50000.00")
    assert to_money(line.total) == Decimal("897950.00")
    assert to_money(sum(x.formula_share for x in result.lines)) == Decimal("18765000.00")
    assert to_money(sum(x.total for x in result.lines)) == Decimal("36000000.00")


def test_waived_match_is_zero_and_changes_no_amount():
    task_forces = worked_example_task_forces()
    task_forces[0] = TaskForceInput(
        "tf-00", dict.fromkeys(FACTORS, 300), Decimal("200000"), match_waived=True
    )
    line = allocate(params(), task_forces).lines[0]
    assert (line.match_required, to_money(line.total)) == (0, Decimal("897950.00"))


def test_floor_as_minimum_raises_small_task_forces_to_the_floor():
    # One task force has almost nothing: proportionally it would get $27,000 × ... far
    # below the floor of $135,000, so it is raised to the floor and the others pay for it.
    task_forces = [TaskForceInput("a-small", dict.fromkeys(FACTORS, 1), Decimal("1"))]
    task_forces += [
        TaskForceInput(f"b-{i:02d}", dict.fromkeys(FACTORS, 1000), Decimal("1")) for i in range(60)
    ]
    result = allocate(params(floor_mode=FloorMode.MINIMUM), task_forces)
    small = result.lines[0]
    assert (to_money(small.formula_total), small.formula_share) == (Decimal("135000.00"), 0)
    # The other 60 share the remaining $26,865,000 equally: $447,750 each.
    assert {to_money(x.formula_total) for x in result.lines[1:]} == {Decimal("447750.00")}
    assert sum(x.total for x in result.lines) == result.pool


def test_left_over_cents_go_to_largest_remainders_then_code():
    # $1.00 in three equal shares: 33 cents each, the last cent to the first code.
    assert split_cents(100, {"c": Fraction(1), "a": Fraction(1), "b": Fraction(1)}) == {
        "a": 34,
        "b": 33,
        "c": 33,
    }
    # Remainders .6, .3, .1 of a cent: the single spare cent goes to the .6.
    assert split_cents(10, {"x": Fraction(16), "y": Fraction(13), "z": Fraction(71)}) == {
        "x": 2,
        "y": 1,
        "z": 7,
    }


@pytest.mark.parametrize(
    "overrides, field, message",
    [
        (
            {"weights": {**WEIGHTS, "population": Decimal("-10"), "leads": Decimal("70")}},
            "weight_population",
            "A weight cannot be negative.",
        ),
        (
            {"weights": {**WEIGHTS, "training": Decimal("0")}},
            "weights",
            "The weights add up to 90%; they must add up to 100%.",
        ),
        (
            {"formula_pct": Decimal("74.99")},
            "formula_pct",
            "At least 75% of the pool goes out by formula (34 U.S.C. 21116); 74.99% is too little.",
        ),
        (
            {"floor_pct": Decimal("0.4")},
            "floor_pct",
            "Each task force gets at least 0.5% of the formula funds (34 U.S.C. 21116); "
            "0.4% is too little.",
        ),
        (
            {"floor_pct": Decimal("2")},
            "floor_pct",
            "61 floors of 2% come to 122% of the formula funds, more than all of it.",
        ),
        (
            {"match_pct": Decimal("20")},
            "match_pct",
            "The match on need-based funds is at least 25% (34 U.S.C. 21116); 20% is too little.",
        ),
        (
            {"pool": Decimal("0.50")},
            "pool",
            "The pool is too small for the floors: 61 task forces × $0.01 (0.5% of the formula "
            "funds, $0.38) is $0.61.",
        ),
    ],
)
def test_bad_parameters_are_refused_with_a_message(overrides, field, message):
    with pytest.raises(AllocationError) as caught:
        allocate(params(**overrides), worked_example_task_forces())
    assert caught.value.errors[field] == [message]


def test_a_weighted_factor_nobody_has_is_refused():
    task_forces = [
        TaskForceInput(tf.code, {**tf.factors, "prosecutions": 0}, tf.need_score)
        for tf in worked_example_task_forces()
    ]
    with pytest.raises(AllocationError) as caught:
        allocate(params(), task_forces)
    assert caught.value.errors["weight_prosecutions"] == [
        "Successful prosecutions has a weight of 10%, but every task force has 0 for it: "
        "enter the data or give it no weight."
    ]


def test_need_funds_with_no_need_scores_are_refused():
    task_forces = [
        TaskForceInput(tf.code, tf.factors, Decimal("0")) for tf in worked_example_task_forces()
    ]
    with pytest.raises(AllocationError, match="every task force's need score is 0"):
        allocate(params(), task_forces)
    # With everything through the formula, no need scores are needed.
    result = allocate(params(formula_pct=Decimal("100")), task_forces)
    assert sum(line.total for line in result.lines) == result.pool


def test_input_order_does_not_change_the_result():
    task_forces = worked_example_task_forces()
    pool = "36000000.07"
    assert allocate(params(pool), task_forces) == allocate(params(pool), task_forces[::-1])


# --- Properties -------------------------------------------------------------------------

percent = st.decimals(min_value=0, max_value=100, places=2, allow_nan=False, allow_infinity=False)


@st.composite
def weight_sets(draw):
    """Five weights in hundredths of a percent that add up to exactly 100%."""
    cuts = sorted(draw(st.lists(st.integers(0, 10000), min_size=4, max_size=4)))
    bounds = [0, *cuts, 10000]
    return {f: Decimal(bounds[i + 1] - bounds[i]) / 100 for i, f in enumerate(FACTORS)}


@st.composite
def scenarios(draw):
    count = draw(st.integers(1, 70))
    weights = draw(weight_sets())
    task_forces = []
    for i in range(count):
        factors = {f: draw(st.integers(0, 40_000_000)) for f in FACTORS}
        need = draw(st.decimals(min_value=0, max_value=10**6, places=2))
        task_forces.append(TaskForceInput(f"tf-{i:03d}", factors, need, draw(st.booleans())))
    # Every weighted factor and the need scores have some data somewhere.
    task_forces[0] = TaskForceInput(
        "tf-000", {f: max(1, v) for f, v in task_forces[0].factors.items()}, Decimal("1")
    )
    floor_pct = draw(
        st.decimals(min_value=Decimal("0.5"), max_value=Decimal(100) / count, places=3)
    )
    return (
        Parameters(
            pool=draw(
                st.decimals(min_value=Decimal("1.00"), max_value=Decimal("999999999.99"), places=2)
            ),
            formula_pct=draw(st.decimals(min_value=75, max_value=100, places=2)),
            floor_pct=floor_pct,
            match_pct=draw(st.decimals(min_value=25, max_value=100, places=2)),
            weights=weights,
            floor_mode=draw(st.sampled_from([FloorMode.ADDITIVE, FloorMode.MINIMUM])),
            min_formula_pct=Decimal("75"),
            min_floor_pct=Decimal("0.5"),
            min_match_pct=Decimal("25"),
        ),
        task_forces,
    )


# Pure arithmetic: cheap enough for twelve times the profile's examples.
@settings(max_examples=settings.default.max_examples * 12)
@given(scenarios())
def test_allocations_add_up_to_the_pool_and_respect_the_floor(scenario):
    parameters, task_forces = scenario
    try:
        result = allocate(parameters, task_forces)
    except AllocationError as error:
        # The only refusal valid parameters can meet: a pool too small for the floors.
        assert set(error.errors) == {"pool"}
        assert "too small for the floors" in str(error)
        return
    pool = int(parameters.pool * 100)
    assert sum(line.total for line in result.lines) == pool == result.pool
    assert result.formula_funds + result.need_funds == pool
    assert sum(line.formula_total for line in result.lines) == result.formula_funds
    assert sum(line.need_amount for line in result.lines) == result.need_funds
    # Statutory minimums: formula funds at least the formula share, the floor at least its
    # share of the formula funds, every task force at least the floor, match at least its %.
    assert result.formula_funds * 100 >= pool * parameters.formula_pct
    assert result.floor * 100 >= result.formula_funds * parameters.floor_pct
    inputs = {tf.code: tf for tf in task_forces}
    for line in result.lines:
        assert line.formula_total >= result.floor and line.formula_share >= 0
        assert line.need_amount >= 0
        if inputs[line.code].match_waived:
            assert line.match_required == 0
        else:
            assert line.match_required * 100 >= line.need_amount * parameters.match_pct
            assert (line.match_required - 1) * 100 < line.need_amount * parameters.match_pct
        if inputs[line.code].need_score == 0:
            assert line.need_amount == 0
    # In the additive mode each share above the floor is within a cent of exact.
    if parameters.floor_mode == FloorMode.ADDITIVE:
        rest = result.formula_funds - result.floor * len(task_forces)
        for line in result.lines:
            assert abs(line.formula_share - rest * line.weighted_share) < 1
