"""Indirect cost rate agreements: recording them, and which rate is in force when
(docs/rules/indirect-costs.md).

A negotiated rate (provisional, predetermined, fixed, final) is typed as agreed. The de
minimis rate is not: it is the dated rule value `de_minimis_indirect_rate` in force on
each day (10% until 2024-09-30, 15% from 2024-10-01, 2 CFR 200.414(f)), so a de minimis
agreement spanning a change of that value is two rate periods.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import transaction

from grants import access
from grants.audit import audit_record, snapshot
from grants.models import IndirectRateAgreement, Recipient, RuleValue, TaskForce
from grants.text import clean_text

DE_MINIMIS_KEY = "de_minimis_indirect_rate"
RATE_PLACES = Decimal("0.001")  # IndirectRateAgreement.rate
RateType = IndirectRateAgreement.RateType


@dataclass(frozen=True)
class RatePeriod:
    """Days over which one rate applies: an agreement, or the part of a de minimis
    agreement during which one value of the de minimis rate is in force."""

    agreement: IndirectRateAgreement
    start: date
    end: date  # date.max: until further notice
    rate: Decimal  # percent

    @property
    def rate_type(self) -> str:
        return self.agreement.get_rate_type_display()

    def covers(self, day: date) -> bool:
        return self.start <= day <= self.end

    def describe(self) -> str:
        """ "the de minimis rate of 15% from 10/01/2024" (and "to ..." when it ends)."""
        until = "" if self.end == date.max else f" to {self.end:%m/%d/%Y}"
        return (
            f"the {self.rate_type.lower()} rate of {self.rate.normalize():f}% "
            f"from {self.start:%m/%d/%Y}{until}"
        )


def _de_minimis_values(start: date, end: date) -> list[RuleValue]:
    rows = RuleValue.objects.filter(key=DE_MINIMIS_KEY, effective_from__lte=end).exclude(
        effective_to__lt=start
    )
    return list(rows.order_by("effective_from"))


def rate_periods(recipient: Recipient, start: date, end: date) -> list[RatePeriod]:
    """The rate periods of the recipient's agreements that touch [start, end], in date
    order, whole (not cut to the window). A de minimis agreement gives one period per
    value of the de minimis rate in force during it; days with no value give none."""
    agreements = (
        IndirectRateAgreement.objects.filter(recipient=recipient, effective_from__lte=end)
        .exclude(effective_to__lt=start)
        .order_by("effective_from")
    )
    periods = []
    for agreement in agreements:
        if agreement.rate_type != RateType.DE_MINIMIS:
            periods.append(
                RatePeriod(agreement, agreement.effective_from, agreement.last_day, agreement.rate)
            )
            continue
        for value in _de_minimis_values(agreement.effective_from, agreement.last_day):
            period = RatePeriod(
                agreement,
                max(agreement.effective_from, value.effective_from),
                min(agreement.last_day, value.effective_to or date.max),
                value.value,
            )
            if period.start <= end and period.end >= start:
                periods.append(period)
    return periods


def rate_period_on(recipient: Recipient, day: date) -> RatePeriod | None:
    """The rate period in force on `day`, or None when no rate is."""
    return next((p for p in rate_periods(recipient, day, day) if p.covers(day)), None)


def _lead_task_force(recipient: Recipient) -> TaskForce | None:
    """The task force whose audit trail records the recipient's agreements."""
    return recipient.task_forces.order_by("pk").first()


def _describe_agreement(agreement: IndirectRateAgreement) -> str:
    until = f" to {agreement.effective_to:%m/%d/%Y}" if agreement.effective_to else ""
    rate = "" if agreement.rate is None else f" of {agreement.rate.normalize():f}%"
    return (
        f"the {agreement.get_rate_type_display().lower()} rate{rate} "
        f"from {agreement.effective_from:%m/%d/%Y}{until}"
    )


@transaction.atomic
def rate_agreement_record(
    *,
    actor,
    recipient: Recipient,
    rate_type: str,
    effective_from: date,
    effective_to: date | None = None,
    rate: Decimal | None = None,
    cognizant_agency: str = "",
    signed_on: date | None = None,
) -> IndirectRateAgreement:
    """Record a recipient's indirect cost rate. Refused when it overlaps another of the
    recipient's agreements, when a negotiated rate lacks its rate, agency or date signed,
    or when a de minimis rate is given a percentage (it is the rule value in force)."""
    access.require(
        access.can_record_indirect_rates(actor),
        "Only program managers and financial approvers record indirect cost rates.",
    )
    # The recipient's row lock: two people recording agreements of one recipient queue,
    # so neither can miss the other's when checking for overlap.
    recipient = Recipient.objects.select_for_update().get(pk=recipient.pk)
    cognizant_agency = clean_text(cognizant_agency)
    if rate_type not in RateType.values:
        raise ValidationError({"rate_type": "Choose the type of rate."})
    errors = {}
    if rate_type == RateType.DE_MINIMIS:
        if rate is not None:
            errors["rate"] = (
                "Leave the rate blank for the de minimis rate: it is the rate 2 CFR "
                "200.414(f) sets on each day."
            )
        if not _de_minimis_values(effective_from, effective_from):
            errors["effective_from"] = (
                f"No de minimis rate is in force on {effective_from:%m/%d/%Y}."
            )
    else:
        if rate is None or rate <= 0:
            errors["rate"] = "Enter the negotiated rate, a percentage above zero."
        elif rate >= 1000 or rate != rate.quantize(RATE_PLACES):
            errors["rate"] = "Enter the rate as a percentage below 1,000 with at most 3 decimals."
        if not cognizant_agency:
            errors["cognizant_agency"] = "Name the cognizant agency that negotiated the rate."
        if signed_on is None:
            errors["signed_on"] = "Enter the date the agreement was signed."
    if effective_to is not None and effective_to < effective_from:
        errors["effective_to"] = "The last day cannot be before the first."
    if errors:
        raise ValidationError(errors)
    overlapping = (
        recipient.indirect_rate_agreements.filter(effective_from__lte=effective_to or date.max)
        .exclude(effective_to__lt=effective_from)
        .order_by("effective_from")
        .first()
    )
    if overlapping is not None:
        raise ValidationError(
            {
                "effective_from": f"These dates overlap {_describe_agreement(overlapping)}; "
                "a recipient has one indirect cost rate on any day."
            }
        )
    agreement = IndirectRateAgreement.objects.create(
        recipient=recipient,
        rate_type=rate_type,
        rate=rate,
        effective_from=effective_from,
        effective_to=effective_to,
        cognizant_agency=cognizant_agency,
        signed_on=signed_on,
        recorded_by=actor,
    )
    agreement.refresh_from_db()  # the rate as stored (three places), for the audit trail
    audit_record(
        actor=actor,
        action="grants.indirect_rate.recorded",
        obj=agreement,
        task_force=_lead_task_force(recipient),
        after=snapshot(
            agreement,
            [
                "rate_type",
                "rate",
                "base",
                "effective_from",
                "effective_to",
                "cognizant_agency",
                "signed_on",
            ],
        ),
    )
    return agreement
