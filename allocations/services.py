"""Writes for formula allocations: factor data, scenarios, match waivers, publishing.

The arithmetic is in allocations.formula (pure, no database); these functions check who
is acting, gather the data, store what the formula returns and audit it, each in one
transaction. Publishing creates the awards through grants.services.award_create, which
keeps every appropriation within what is left of it.
"""

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from allocations.formula import (
    FACTORS,
    AllocationError,
    Parameters,
    TaskForceInput,
    allocate,
    share_percent,
    to_money,
)
from allocations.models import AllocationLine, AllocationRun, FactorData
from allocations.selectors import statutory_minimums, task_forces_without_factors
from grants import access
from grants.audit import audit_record, snapshot
from grants.models import FIRST_FISCAL_YEAR, Appropriation, Award, TaskForce
from grants.refusals import refusal_audited
from grants.selectors import appropriation_available, appropriation_shortfall
from grants.services import FundingRequest, award_create

FACTOR_FIELDS = (*FACTORS, "need_score")


@dataclass(frozen=True)
class FactorValues:
    """One task force's factor data, already parsed (ints and a Decimal need score)."""

    task_force: TaskForce
    values: dict


def _factor_errors(values: dict) -> dict[str, list[str]]:
    errors = {}
    for name in FACTORS:
        value = values.get(name)
        if not isinstance(value, int) or isinstance(value, bool):
            errors[name] = ["Enter a whole number."]
        elif value < 0:
            errors[name] = ["Enter zero or more."]
    need = values.get("need_score")
    if not isinstance(need, Decimal) or not need.is_finite():
        errors["need_score"] = ["Enter a number."]
    elif need < 0:
        errors["need_score"] = ["Enter zero or more."]
    return errors


def _upsert_factors(
    *, actor, fiscal_year: int, rows: list[FactorValues], source: str
) -> tuple[int, int]:
    existing = {
        f.task_force_id: f
        for f in FactorData.objects.select_for_update().filter(
            fiscal_year=fiscal_year, task_force__in=[r.task_force for r in rows]
        )
    }
    created = updated = 0
    for row in rows:
        factor = existing.get(row.task_force.pk)
        if factor is None:
            factor = FactorData(task_force=row.task_force, fiscal_year=fiscal_year)
            created += 1
        else:
            updated += 1
        for name in FACTOR_FIELDS:
            setattr(factor, name, row.values[name])
        factor.updated_by = actor
        factor.source = source[:200]
        factor.full_clean(validate_unique=False)
        factor.save()
    return created, updated


@transaction.atomic
def factor_data_set(*, actor, task_force: TaskForce, fiscal_year: int, values: dict) -> FactorData:
    """Enter or correct one task force's factor data for a fiscal year."""
    access.require(access.can_manage_allocations(actor))
    errors = _factor_errors(values)
    if not FIRST_FISCAL_YEAR <= fiscal_year <= 2100:
        errors["__all__"] = [f"FY{fiscal_year} is not a fiscal year of the program (1998–2100)."]
    if errors:
        raise ValidationError(errors)
    before_row = FactorData.objects.filter(task_force=task_force, fiscal_year=fiscal_year).first()
    before = snapshot(before_row, list(FACTOR_FIELDS)) if before_row else None
    _upsert_factors(
        actor=actor,
        fiscal_year=fiscal_year,
        rows=[FactorValues(task_force, values)],
        source="Entered by hand",
    )
    factor = FactorData.objects.get(task_force=task_force, fiscal_year=fiscal_year)
    audit_record(
        actor=actor,
        action="allocations.factors.updated" if before else "allocations.factors.created",
        obj=factor,
        task_force=task_force,
        before=before,
        after=snapshot(factor, list(FACTOR_FIELDS)),
    )
    return factor


@transaction.atomic
def factor_data_import(
    *, actor, fiscal_year: int, rows: list[FactorValues], filename: str, source: str = ""
) -> tuple[int, int]:
    """Save a whole imported file's factor data, or nothing. Returns (created, updated).
    Each row records where it came from: `source`, or else the file's name."""
    access.require(access.can_manage_allocations(actor))
    for row in rows:
        errors = _factor_errors(row.values)
        if errors:
            raise ValidationError(
                [
                    f"{row.task_force.code}, {field.replace('_', ' ')}: {message}"
                    for field, messages in errors.items()
                    for message in messages
                ]
            )
    created, updated = _upsert_factors(
        actor=actor,
        fiscal_year=fiscal_year,
        rows=rows,
        source=source or f"Imported from {filename}",
    )
    audit_record(
        actor=actor,
        action="allocations.factors.imported",
        data={
            "fiscal_year": fiscal_year,
            "filename": filename,
            "created": created,
            "updated": updated,
            "rows": {r.task_force.code: [str(r.values[n]) for n in FACTOR_FIELDS] for r in rows},
        },
    )
    return created, updated


def _inputs(fiscal_year: int, waived: set[int] = frozenset()) -> tuple[list[TaskForceInput], dict]:
    missing = list(task_forces_without_factors(fiscal_year).order_by("state", "name"))
    if missing:
        names = ", ".join(t.name for t in missing[:5])
        more = f" and {len(missing) - 5} more" if len(missing) > 5 else ""
        raise ValidationError(
            f"There is no FY{fiscal_year} factor data for {len(missing)} task "
            f"force{'s' if len(missing) != 1 else ''}: {names}{more}. "
            "Enter or import it before allocating."
        )
    factors = {
        f.task_force.code: f
        for f in FactorData.objects.filter(fiscal_year=fiscal_year).select_related("task_force")
    }
    inputs = [
        TaskForceInput(
            code=code,
            factors={name: getattr(f, name) for name in FACTORS},
            need_score=f.need_score,
            match_waived=f.task_force_id in waived,
        )
        for code, f in factors.items()
    ]
    return inputs, factors


def _field_errors(error: AllocationError) -> ValidationError:
    # "weights" is about all five weight fields together: show it above the form.
    return ValidationError(
        {
            ("__all__" if name == "weights" else name): messages
            for name, messages in error.errors.items()
        }
    )


@transaction.atomic
def run_create(
    *,
    actor,
    appropriation: Appropriation,
    name: str,
    pool: Decimal | None,
    formula_pct: Decimal,
    floor_pct: Decimal,
    match_pct: Decimal,
    floor_mode: str,
    weights: dict[str, Decimal],
    period_start: date | None = None,
    period_end: date | None = None,
    notes: str = "",
) -> AllocationRun:
    """Compute a scenario for the appropriation's fiscal year from that year's factor
    data and store it as a draft. The pool defaults to what is left of the appropriation
    after set-asides and earlier awards, and cannot be more."""
    access.require(access.can_manage_allocations(actor))
    fiscal_year = appropriation.fiscal_year
    available = appropriation_available(appropriation)
    pool = available if pool is None else pool
    name = (name or "").strip()
    errors: dict[str, list[str]] = {}
    shortfall = appropriation_shortfall(appropriation, pool, asks="the pool is")
    if shortfall:
        errors["pool"] = [shortfall]
    if not name:
        errors["name"] = ["Name the scenario."]
    elif AllocationRun.objects.filter(fiscal_year=fiscal_year, name=name).exists():
        errors["name"] = [f"FY{fiscal_year} already has a scenario named “{name}”."]
    period_start = period_start or date(fiscal_year - 1, 10, 1)
    period_end = period_end or date(fiscal_year + 1, 9, 30)
    if period_end <= period_start:
        errors["period_end"] = ["The award period must end after it starts."]
    if errors:
        raise ValidationError(errors)
    params = Parameters(
        pool=pool,
        formula_pct=formula_pct,
        floor_pct=floor_pct,
        match_pct=match_pct,
        weights=weights,
        floor_mode=floor_mode,
        **statutory_minimums(fiscal_year),
    )
    inputs, factors = _inputs(fiscal_year)
    try:
        result = allocate(params, inputs)
    except AllocationError as error:
        raise _field_errors(error) from None
    run = AllocationRun(
        fiscal_year=fiscal_year,
        name=name,
        appropriation=appropriation,
        pool=pool,
        formula_pct=formula_pct,
        floor_pct=floor_pct,
        match_pct=match_pct,
        floor_mode=floor_mode,
        formula_funds=to_money(result.formula_funds),
        need_funds=to_money(result.need_funds),
        floor_amount=to_money(result.floor),
        period_start=period_start,
        period_end=period_end,
        notes=notes,
        created_by=actor,
        **{f"weight_{factor}": weights[factor] for factor in FACTORS},
    )
    run.full_clean()
    run.save()
    AllocationLine.objects.bulk_create(
        AllocationLine(
            run=run,
            task_force=factors[line.code].task_force,
            factors={
                **{n: getattr(factors[line.code], n) for n in FACTORS},
                "need_score": str(factors[line.code].need_score),
            },
            weighted_share=share_percent(line.weighted_share),
            floor_amount=to_money(line.floor),
            formula_amount=to_money(line.formula_share),
            need_amount=to_money(line.need_amount),
            total=to_money(line.total),
            match_required=to_money(line.match_required),
        )
        for line in result.lines
    )
    audit_record(
        actor=actor,
        action="allocations.run.created",
        obj=run,
        after={
            **snapshot(
                run,
                [
                    "fiscal_year",
                    "name",
                    "appropriation",
                    "pool",
                    "formula_pct",
                    "floor_pct",
                    "match_pct",
                    "floor_mode",
                    "formula_funds",
                    "need_funds",
                    "floor_amount",
                    *(f"weight_{f}" for f in FACTORS),
                ],
            ),
            "task_forces": len(result.lines),
        },
    )
    return run


def _locked_draft(run: AllocationRun) -> AllocationRun:
    run = AllocationRun.objects.select_for_update().get(pk=run.pk)
    if run.status != AllocationRun.Status.DRAFT:
        raise ValidationError(
            f"This scenario was published on {timezone.localtime(run.published_at):%m/%d/%Y} "
            f"by {run.published_by.get_username()}; a published allocation does not change."
        )
    return run


@refusal_audited("allocations.run.refused", on="run", attempted="waive match")
@transaction.atomic
def run_waive_match(
    *, actor, run: AllocationRun, task_force: TaskForce, reason: str
) -> AllocationLine:
    """Waive a task force's match on need-based funds in a draft scenario, for good cause
    or financial hardship (34 U.S.C. 21116). Amounts do not change; the match becomes 0."""
    access.require(access.can_manage_allocations(actor))
    run = _locked_draft(run)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why the match is waived."})
    line = run.lines.filter(task_force=task_force).first()
    if line is None:
        raise ValidationError({"task_force": "This task force has no line in the scenario."})
    if line.match_waived:
        raise ValidationError({"task_force": f"The match of {task_force} is already waived."})
    before = snapshot(line, ["match_required", "match_waived", "waiver_reason"])
    line.match_required = Decimal("0.00")
    line.match_waived = True
    line.waiver_reason = reason
    line.save(update_fields=["match_required", "match_waived", "waiver_reason"])
    audit_record(
        actor=actor,
        action="allocations.match.waived",
        obj=line,
        task_force=task_force,
        before=before,
        after=snapshot(line, ["match_required", "match_waived", "waiver_reason"]),
        data={"run": run.pk},
    )
    return line


_DOJ_NUMBER = re.compile(r"^15PJDP-\d{2}-GK-(\d{5})-MECP$")
_OLD_NUMBER = re.compile(r"^\d{4}-MC-FX-K(\d{3})$")


def _award_numbers(fiscal_year: int, count: int) -> list[str]:
    """The next `count` free award numbers of the fiscal year, in the DOJ format of the
    time (the 15PJDP-YY-GK-NNNNN-MECP form from FY2019)."""
    if fiscal_year >= 2019:
        prefix, pattern = f"15PJDP-{fiscal_year % 100:02d}-GK-", _DOJ_NUMBER
        make = lambda n: f"{prefix}{n:05d}-MECP"  # noqa: E731
    else:
        prefix, pattern = f"{fiscal_year}-MC-FX-K", _OLD_NUMBER
        make = lambda n: f"{prefix}{n:03d}"  # noqa: E731
    taken = [
        int(match[1])
        for number in Award.objects.filter(award_number__startswith=prefix).values_list(
            "award_number", flat=True
        )
        if (match := pattern.match(number))
    ]
    start = max(taken, default=0) + 1
    return [make(n) for n in range(start, start + count)]


@refusal_audited("allocations.run.refused", on="run", attempted="publish")
@transaction.atomic
def run_publish(*, actor, run: AllocationRun) -> AllocationRun:
    """Publish a scenario, once: a draft award per task force for its total, funded from
    the run's appropriation, with the match it owes. Nothing is saved if the appropriation
    no longer has room for the whole pool or any award is refused."""
    access.require(
        access.can_manage_allocations(actor), "Only a program manager can publish an allocation."
    )
    # Lock every scenario of the year, in id order: two publishes of the same year then
    # queue, and the second sees the first's result once it is committed.
    year_runs = list(
        AllocationRun.objects.select_for_update().filter(fiscal_year=run.fiscal_year).order_by("pk")
    )
    run = _locked_draft(run)
    other = next(
        (r for r in year_runs if r.pk != run.pk and r.status == AllocationRun.Status.PUBLISHED),
        None,
    )
    if other is not None:
        raise ValidationError(
            f"FY{run.fiscal_year} already has a published allocation, “{other.name}”; "
            "a fiscal year's allocation is published once."
        )
    appropriation = Appropriation.objects.select_for_update().get(pk=run.appropriation_id)
    shortfall = appropriation_shortfall(appropriation, run.pool, asks="this allocation needs")
    if shortfall:
        raise ValidationError(f"{shortfall} Create a scenario with a smaller pool.")
    lines = list(
        run.lines.select_related("task_force").order_by("task_force__state", "task_force__name")
    )
    numbers = _award_numbers(run.fiscal_year, len(lines))
    for line, number in zip(lines, numbers, strict=True):
        conditions = (
            f"Match on need-based funds waived: {line.waiver_reason}" if line.match_waived else ""
        )
        line.award = award_create(
            actor=actor,
            award_number=number,
            title=f"FY{run.fiscal_year} Internet Crimes Against Children Task Force Program",
            task_force=line.task_force,
            period_start=run.period_start,
            period_end=run.period_end,
            funding=[FundingRequest(appropriation.pk, line.total)],
            match_required=line.match_required,
            special_conditions=conditions,
        )
        line.save(update_fields=["award"])
    run.status = AllocationRun.Status.PUBLISHED
    run.published_by = actor
    run.published_at = timezone.now()
    run.save(update_fields=["status", "published_by", "published_at"])
    audit_record(
        actor=actor,
        action="allocations.run.published",
        obj=run,
        data={
            "awards": len(lines),
            "total": str(sum((line.total for line in lines), Decimal("0.00"))),
            "first_award": numbers[0] if numbers else "",
            "last_award": numbers[-1] if numbers else "",
        },
    )
    return run
