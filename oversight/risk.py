"""The risk rule (docs/rules/oversight.md#the-risk-rule): points for each of the factors
2 CFR 200.206(b)(2) names, a level from the total, and what the level proposes: special
conditions (200.208(c)) and how often to monitor. A pure function of the review's
inputs, so the page, the service and the tests compute the same thing."""

from dataclasses import dataclass

# Points per factor.
STABILITY_POINTS = {"sound": 0, "concerns": 1, "serious": 3}
AUDIT_FINDINGS_POINTS = 1  # any finding in the latest audit
MATERIAL_WEAKNESS_POINTS = 3  # instead of the above: a material weakness or questioned costs
HISTORY_POINTS = ((3, 2), (1, 1))  # (at least this many events, points), highest first
SAM_INACTIVE_POINTS = 2
# Levels from the total: up to 1 low, 2 to 3 moderate, 4 and over high. An exclusion in
# SAM.gov is high whatever the total.
MODERATE_FROM = 2
HIGH_FROM = 4

# Monitoring frequency by level: months between desk reviews, and between site visits
# (None: no site visit planned; one is planned when a finding calls for it).
FREQUENCY = {
    "low": (12, None),
    "moderate": (6, 24),
    "high": (3, 12),
}


@dataclass(frozen=True)
class ProposedCondition:
    key: str
    text: str
    withholds_funds: bool
    clearer_role: str  # a grants.access group name


CONDITIONS = {
    "sam": ProposedCondition(
        "sam",
        "Renew the recipient's SAM.gov registration and send proof of active registration "
        "(2 CFR 25.200). No funds are paid until it is active.",
        True,
        "Financial approver",
    ),
    "exclusion": ProposedCondition(
        "exclusion",
        "An exclusion is recorded in SAM.gov: no funds are paid while the suspension and "
        "debarment official reviews it (2 CFR 180).",
        True,
        "Program manager",
    ),
    "financial_plan": ProposedCondition(
        "financial_plan",
        "Submit a financial management improvement plan, with the latest audited statements, "
        "and have it accepted. No funds are paid until it is accepted.",
        True,
        "Financial approver",
    ),
    "audit_cap": ProposedCondition(
        "audit_cap",
        "Send the corrective action plan for the findings of the latest single audit and "
        "evidence of the actions taken so far.",
        False,
        "Program manager",
    ),
    "monthly_reports": ProposedCondition(
        "monthly_reports",
        "Send monthly financial reports with supporting documents for each drawdown in "
        "addition to the quarterly SF-425.",
        False,
        "Financial approver",
    ),
}


@dataclass(frozen=True)
class Assessment:
    score: int
    level: str
    reasons: list[str]
    proposed: list[ProposedCondition]
    desk_review_months: int
    site_visit_months: int | None


def assess(
    *,
    financial_stability: str,
    audit_findings: int,
    audit_material_weakness: bool,
    history_events: int,
    sam_active: bool,
    exclusions_found: bool,
) -> Assessment:
    reasons = []
    score = STABILITY_POINTS[financial_stability]
    if score:
        reasons.append(f"Financial stability: {score} point(s)")
    if audit_material_weakness:
        score += MATERIAL_WEAKNESS_POINTS
        reasons.append(f"Material weakness or questioned costs: {MATERIAL_WEAKNESS_POINTS} points")
    elif audit_findings:
        score += AUDIT_FINDINGS_POINTS
        reasons.append(f"{audit_findings} audit finding(s): {AUDIT_FINDINGS_POINTS} point")
    for at_least, points in HISTORY_POINTS:
        if history_events >= at_least:
            score += points
            reasons.append(
                f"{history_events} event(s) in the history of performance: {points} point(s)"
            )
            break
    if not sam_active:
        score += SAM_INACTIVE_POINTS
        reasons.append(f"SAM.gov registration not active: {SAM_INACTIVE_POINTS} points")
    if exclusions_found:
        level = "high"
        reasons.append("An exclusion is recorded in SAM.gov: high whatever the points")
    elif score >= HIGH_FROM:
        level = "high"
    elif score >= MODERATE_FROM:
        level = "moderate"
    else:
        level = "low"
    desk, site = FREQUENCY[level]
    return Assessment(
        score=score,
        level=level,
        reasons=reasons,
        proposed=proposed_conditions(
            level=level,
            financial_stability=financial_stability,
            audit_findings=audit_findings,
            audit_material_weakness=audit_material_weakness,
            sam_active=sam_active,
            exclusions_found=exclusions_found,
        ),
        desk_review_months=desk,
        site_visit_months=site,
    )


def proposed_conditions(
    *,
    level,
    financial_stability,
    audit_findings,
    audit_material_weakness,
    sam_active,
    exclusions_found,
) -> list[ProposedCondition]:
    keys = []
    if exclusions_found:
        keys.append("exclusion")
    if not sam_active:
        keys.append("sam")
    if level == "high" and financial_stability != "sound":
        keys.append("financial_plan")
    if audit_findings or audit_material_weakness:
        keys.append("audit_cap")
    if level == "high":
        keys.append("monthly_reports")
    return [CONDITIONS[key] for key in keys]


def frequency_for(level: str) -> tuple[int, int | None]:
    return FREQUENCY[level]
