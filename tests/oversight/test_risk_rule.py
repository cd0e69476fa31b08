"""The risk rule of docs/rules/oversight.md#the-risk-rule, case by case."""

import pytest

from oversight.risk import assess


def _assess(**fields):
    values = dict(
        financial_stability="sound",
        audit_findings=0,
        audit_material_weakness=False,
        history_events=0,
        sam_active=True,
        exclusions_found=False,
    )
    values.update(fields)
    return assess(**values)


@pytest.mark.parametrize(
    "fields, score, level",
    [
        ({}, 0, "low"),
        ({"audit_findings": 2}, 1, "low"),
        ({"history_events": 1, "audit_findings": 1}, 2, "moderate"),
        ({"financial_stability": "concerns", "history_events": 3}, 3, "moderate"),
        ({"financial_stability": "serious", "audit_findings": 1}, 4, "high"),
        ({"audit_material_weakness": True, "audit_findings": 4, "sam_active": False}, 5, "high"),
        ({"exclusions_found": True}, 0, "high"),
    ],
)
def test_points_give_the_level(fields, score, level):
    result = _assess(**fields)
    assert (result.score, result.level) == (score, level)


def test_the_level_gives_the_monitoring_frequency():
    assert (_assess().desk_review_months, _assess().site_visit_months) == (12, None)
    moderate = _assess(history_events=3)
    assert (moderate.desk_review_months, moderate.site_visit_months) == (6, 24)
    high = _assess(financial_stability="serious", history_events=3)
    assert (high.desk_review_months, high.site_visit_months) == (3, 12)


def test_high_risk_with_weak_finances_proposes_withholding_until_a_plan_is_accepted():
    result = _assess(financial_stability="serious", audit_findings=2, sam_active=False)
    assert [(c.key, c.withholds_funds) for c in result.proposed] == [
        ("sam", True),
        ("financial_plan", True),
        ("audit_cap", False),
        ("monthly_reports", False),
    ]


def test_a_low_risk_recipient_gets_no_condition():
    assert _assess().proposed == []
