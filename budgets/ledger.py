"""Posting to the ledger and the drawdown workflow.

Every function here runs in one transaction that first locks the award row, then
recomputes the balances under that lock, checks the rules (invariants 1–5 of
docs/architecture.md#ledger-invariants), writes, and records the audit event. Two people
posting to one award queue on the lock, so neither can act on a balance the other is changing.
"""

import uuid
from dataclasses import replace
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from budgets import cash_holds, cash_need, ledger_days, overrun
from budgets.balances import (
    Low,
    authorized_on,
    award_balances,
    ledger_sums,
    liquidation_end,
    lowest_from,
)
from budgets.book import DatabaseBook, MemoryBook
from budgets.indirect import check_indirect_cap
from budgets.kinds import KINDS, InKindBasis, LedgerKind, either
from budgets.models import Category, DrawdownRequest, LedgerEntry
from grants import access, drawdown_stops
from grants.amendments import funding_return
from grants.audit import audit_record
from grants.duties import decided_by_another, lock_award
from grants.models import Award
from grants.money import format_money, parse_money, sentence
from grants.refusals import refusal_audited
from grants.selectors import active_holds
from grants.text import clean_text

Kind = LedgerEntry.Kind
Share = LedgerEntry.Share
POSTING_STATUSES = (Award.Status.ACTIVE, Award.Status.IN_CLOSEOUT)
# Kinds a finance officer records directly; drawdowns enter the ledger when paid.
RECORDABLE_KINDS = tuple(Kind(code) for code, kind in KINDS.items() if kind.recorded)
CATEGORIES = tuple(Category.values)  # read once: the enum builds the list at each use
REFERENCE_LENGTH = LedgerEntry._meta.get_field("reference").max_length
# What the posting rules read an award's state from (budgets.book).
Book = DatabaseBook | MemoryBook


class IdempotencyConflict(ValidationError):
    """The key was used before for a different request."""


def _amount(value) -> Decimal:
    try:
        return parse_money(value, positive=True)
    except ValueError as error:
        raise ValidationError({"amount": sentence(error)}) from None
    except TypeError:
        raise ValidationError({"amount": "Enter the amount as text or a Decimal."}) from None


def _check_open_for_money(award: Award) -> None:
    if award.status not in POSTING_STATUSES:
        raise ValidationError(
            f"Award {award} is {award.get_status_display().lower()}; money is recorded only "
            "on active awards and awards in closeout."
        )


def _check_date(
    book: Book, kind: LedgerKind, day: date, *, paying: bool, today: date, field: str
) -> None:
    award = book.award
    if day > today:
        raise ValidationError({field: f"{day:%m/%d/%Y} is in the future."})
    if day < award.period_start:
        raise ValidationError(
            {
                field: f"{day:%m/%d/%Y} is before the period of performance starts ({award.period_start:%m/%d/%Y})."
            }
        )
    last_day = award.period_end
    if kind.until_liquidation or paying:
        last_day = book.liquidation_end()
        what = "the liquidation period ends"
    else:
        what = "the period of performance ends"
    if day > last_day:
        raise ValidationError({field: f"{day:%m/%d/%Y} is after {what} ({last_day:%m/%d/%Y})."})


def _check_category(book: Book, category: str, share: str) -> None:
    if category not in CATEGORIES:
        raise ValidationError({"category": "Choose a budget category (A–J)."})
    if not book.budgeted(category, share):
        raise ValidationError(
            {
                "category": f"{Category(category).label} has no approved {Share(share).label.lower()} budget on this award."
            }
        )


def _check_in_kind(kind: LedgerKind, share: str, basis: str, description: str) -> str:
    """An in-kind contribution: only of the share its kind allows (the recipient's match),
    on a known valuation basis, and described. Returns the cleaned description."""
    description = clean_text(description)
    if not basis:
        if description:
            raise ValidationError(
                {
                    "in_kind_basis": "Choose how the in-kind contribution is valued, or clear its description."
                }
            )
        return ""
    if not kind.in_kind_share or share != kind.in_kind_share:
        allowed = (
            f"only the {Share(kind.in_kind_share).label.lower()} share"
            if kind.in_kind_share
            else "no entry of this kind"
        )
        raise ValidationError(
            {
                "in_kind_basis": f"Federal funds are spent in cash: {allowed} may be an in-kind "
                "contribution."
            }
        )
    if basis not in InKindBasis.values:
        raise ValidationError({"in_kind_basis": "Choose a valuation basis from the list."})
    if not description:
        raise ValidationError(
            {"in_kind_description": "Say what was contributed and how its value was reached."}
        )
    return description


def _on_day(low: Low) -> str:
    """Names the day of a low below the latest balance, so that refusing a back-dated
    entry makes sense to the person who sees the larger balance of today."""
    return "" if low.amount == low.latest else f" on {low.day:%m/%d/%Y}"


def _amount_refused(amount: Decimal, low: Low, what: str) -> ValidationError:
    """An amount above the lowest balance it would reduce, said on the amount field."""
    return ValidationError(
        {
            "amount": f"{format_money(amount)} is {format_money(amount - low.amount)} more than the "
            f"{format_money(low.amount)} {what}{_on_day(low)}."
        }
    )


def _write_entry(entry: LedgerEntry | None = None, **fields) -> LedgerEntry:
    """Create a ledger entry (given, or from `fields`) and count it in its day's totals,
    together, so no entry can reach the ledger without the per-day totals every balance
    is read from."""
    if entry is None:
        entry = LedgerEntry(**fields)
    entry.save(force_insert=True)
    ledger_days.add_entry(entry)
    return entry


def _replay(model, key: uuid.UUID, **expected):
    """Stripe-style idempotency: the same key and request returns the first result; the
    same key with a different request is refused."""
    existing = model.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if any(getattr(existing, field) != value for field, value in expected.items()):
        raise IdempotencyConflict(
            "This form was already submitted with different values; reload it and try again."
        )
    return existing


def _paid_entry(book: Book, kind: LedgerKind, share: str, **given) -> LedgerEntry | None:
    """The earlier entry an entry of `kind` pays, given by the name of its kind
    (kind.pays), read again under the award's lock; refused unless it is an unreversed
    entry of that kind on this award, paid with the right share."""
    paid = None
    for field, entry in given.items():
        if entry is None:
            continue
        found = book.paid_entry(field, entry) if field == kind.pays else None
        _check_paid_entry(book, kind, field, found, share)
        paid = found
    return paid


def _check_paid_entry(
    book: Book, kind: LedgerKind, field: str, found: LedgerEntry | None, share: str
) -> None:
    paid_label = Kind(field).label.lower()
    if found is None or (not kind.share_of_paid and share != Share.FEDERAL):
        payers = either([k.label.lower() for k in KINDS.values() if k.pays == field])
        article = "an" if paid_label[0] in "aeiou" else "a"
        raise ValidationError(
            {field: f"Only a federal {payers} can pay {article} {paid_label} of this award."}
        )
    if book.reversed(found):
        raise ValidationError({field: f"That {paid_label} was reversed."})


def _check_payment(
    book: Book, kind: LedgerKind, paid: LedgerEntry, amount: Decimal, day: date
) -> None:
    """A payment (of an obligation by an expenditure, of an expenditure by a
    disbursement) comes after what it pays and is no more than what is still unpaid."""
    what, payer = paid.get_kind_display().lower(), kind.label.lower()
    if paid.in_kind_basis:
        raise ValidationError(
            {
                kind.pays: f"That {what} is an in-kind contribution, given rather than paid: "
                "it takes no payment."
            }
        )
    if paid.effective_date > day:
        raise ValidationError(
            {
                kind.pays: f"That {what} is dated {paid.effective_date:%m/%d/%Y}, after this "
                f"{payer}; {'an' if payer[0] in 'aeiou' else 'a'} {payer} pays only an earlier {what}."
            }
        )
    remaining = book.unpaid(paid)
    if amount > remaining:
        still = "still owed on" if paid.kind == Kind.OBLIGATION else "not yet paid of"
        raise ValidationError(
            {
                "amount": f"{format_money(amount)} is {format_money(amount - remaining)} more than the "
                f"{format_money(remaining)} {still} that {what}."
            }
        )


def _check_limits(
    book: Book,
    kind: LedgerKind,
    share: str,
    paying: bool,
    amount: Decimal,
    day: date,
    refused=_amount_refused,
) -> None:
    # Invariants 2 and 7: the entry fits under each balance it lowers (its kind's moves
    # say which: a payment of an obligation lowers neither spent-or-owed nor cash), on
    # every day from its date on. `refused(amount, low, what)` words the refusal.
    for limit in kind.lowers(share, paying):
        low = book.lowest_from(day)[limit.name]
        if amount > low.amount:
            raise refused(amount, low, limit.what)


@refusal_audited("budgets.ledger_entry.refused", on="award", attempted="post")
@transaction.atomic
def entry_post(
    *,
    actor,
    award: Award,
    kind: str,
    amount,
    effective_date: date,
    idempotency_key: uuid.UUID,
    category: str = "",
    share: str = Share.FEDERAL,
    memo: str = "",
    paid_on: date | None = None,
    obligation: LedgerEntry | None = None,
    expenditure: LedgerEntry | None = None,
    in_kind_basis: str = "",
    in_kind_description: str = "",
    reference: str = "",
    today: date | None = None,
) -> LedgerEntry:
    """Record an entry of a kind a finance officer records (budgets.kinds.KINDS).

    An expenditure may pay an `obligation`; a disbursement may pay an `expenditure`.
    An expenditure given `paid_on` is paid in full that day: its payment is recorded with
    it, as a disbursement paying it (docs/rules/cash-and-ledger.md#paid).

    `in_kind_basis` marks a contribution of the share the kind lets be in kind (the
    recipient's match) as valued rather than paid, with `in_kind_description` saying what
    it was (docs/rules/cash-and-ledger.md#in-kind-match).

    `reference` is the recipient's own number for it (a document or transaction number),
    unique on the award; an imported entry always has one (budgets.ledger_batch).

    `today` is the clock (the demo loader and tests set it); it defaults to the real date.
    """
    award = lock_award(award.pk)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers record spending.",
    )
    amount = _amount(amount)
    declared = recordable_kind(kind)
    replay = _replay(LedgerEntry, idempotency_key, award_id=award.pk, kind=kind, amount=amount)
    if replay:
        return replay
    _check_open_for_money(award)
    today = today or timezone.localdate()
    # The rules read the award from the database, under the lock just taken.
    book = DatabaseBook(award)
    reference = _check_reference(book, reference)
    entry = checked_entry(
        book,
        declared,
        amount=amount,
        effective_date=effective_date,
        category=category,
        share=share,
        memo=memo,
        paid_on=paid_on,
        obligation=obligation,
        expenditure=expenditure,
        in_kind_basis=in_kind_basis,
        in_kind_description=in_kind_description,
        today=today,
    )
    entry.actor, entry.idempotency_key, entry.reference = actor, idempotency_key, reference
    entry = _write_entry(entry)
    audit_record(**posted_event(actor, award, entry))
    if paid_on is not None:
        _write_payment(actor, award, entry, paid_on)
    cash_holds.lift_if_cleared(award, actor=None, today=today, by=f"entry {entry.pk} posted")
    return entry


def recordable_kind(kind: str) -> LedgerKind:
    """The kind of an entry a finance officer records, or the kind field's refusal."""
    if kind not in RECORDABLE_KINDS:
        labels = [Kind(code).label.lower() for code in RECORDABLE_KINDS]
        article = "an" if labels[0][0] in "aeiou" else "a"
        raise ValidationError({"kind": f"Choose {article} {either(labels)}."})
    return KINDS[kind]


def _check_reference(book: Book, reference: str) -> str:
    """The recipient's own number for an entry: at most REFERENCE_LENGTH characters, and
    not already on the award. Returns it cleaned."""
    reference = clean_text(reference)
    if len(reference) > REFERENCE_LENGTH:
        raise ValidationError(
            {"reference": f"Keep the reference to {REFERENCE_LENGTH} characters or fewer."}
        )
    if reference:
        existing = (
            LedgerEntry.objects.filter(award=book.award, reference=reference)
            .select_related("reversed_by")
            .first()
        )
        if existing is not None:
            raise ValidationError({"reference": reference_taken(existing)})
    return reference


def reference_taken(existing: LedgerEntry) -> str:
    """Why a reference already on the award cannot be posted again with other values."""
    posted = timezone.localdate(existing.posted_at)
    label = existing.get_kind_display().lower()
    what = f"{'an' if label[0] in 'aeiou' else 'a'} {label} of {format_money(existing.amount)}"
    if existing.category:
        what += f" in {Category(existing.category).label} ({Share(existing.share).label.lower()})"
    what += f" dated {existing.effective_date:%m/%d/%Y}"
    if hasattr(existing, "reversed_by"):
        return (
            f"Reference {existing.reference} was posted on {posted:%m/%d/%Y} as {what} and "
            f"reversed on {existing.reversed_by.effective_date:%m/%d/%Y}; give the corrected "
            "line a new reference."
        )
    return (
        f"Reference {existing.reference} was posted on {posted:%m/%d/%Y} as {what}; "
        "reverse it to change it."
    )


def checked_entry(
    book: Book,
    declared: LedgerKind,
    *,
    amount: Decimal,
    effective_date: date,
    category: str,
    share: str,
    memo: str,
    paid_on: date | None,
    obligation: LedgerEntry | None,
    expenditure: LedgerEntry | None,
    in_kind_basis: str,
    in_kind_description: str,
    today: date,
) -> LedgerEntry:
    """Every rule an entry of a recorded kind must meet, read from `book` (the award's
    balances, its budget, the entries it pays); the entry to write (unsaved, without
    actor and key), or the first refusal. entry_post and ledger_batch.post_batch both
    check through here."""
    award = book.award
    if declared.needs_reason and not clean_text(memo):
        label = declared.label.lower()
        article = "an" if label[0] in "aeiou" else "a"
        raise ValidationError({"memo": f"Say why: {article} {label} entry needs a reason."})
    if declared.needs_category:
        if share not in declared.shares:
            shares = either([Share(code).label.lower() for code in declared.shares])
            raise ValidationError({"share": f"{declared.label}s are of {shares} funds."})
        _check_category(book, category, share)
    else:
        category, share = "", declared.shares[0]
    if paid_on is not None and not declared.paid_on:
        raise ValidationError({"paid_on": f"A {declared.label.lower()} has no date paid."})
    paid = _paid_entry(book, declared, share, obligation=obligation, expenditure=expenditure)
    if paid is not None and declared.share_of_paid:
        share = paid.share
    in_kind_description = _check_in_kind(declared, share, in_kind_basis, in_kind_description)
    if in_kind_basis and paid_on is not None:
        raise ValidationError(
            {"paid_on": "An in-kind contribution is given, not paid: leave the date paid empty."}
        )
    _check_date(
        book,
        declared,
        effective_date,
        paying=paid is not None,
        today=today,
        field="effective_date",
    )
    if paid is not None:
        _check_payment(book, declared, paid, amount, effective_date)
    _check_limits(book, declared, share, paid is not None, amount, effective_date)
    # Federal money newly committed in a category (not an obligation's own payment) may go
    # beyond the category's budget only as far as a transfer may without prior approval.
    if declared.needs_category and share == Share.FEDERAL:
        if paid is None or paid.category != category:
            overrun.check_within_budget(award, category, amount, on=today, book=book)
    check_indirect_cap(
        award,
        kind=declared.code,
        category=category,
        amount=amount,
        day=effective_date,
        book=book,
    )
    if paid_on is not None:
        _check_paid_on(book, amount, share, effective_date, paid_on, today)
    return LedgerEntry(
        award=award,
        kind=declared.code,
        category=category,
        share=share,
        amount=amount,
        effective_date=effective_date,
        memo=clean_text(memo),
        **({declared.pays: paid} if paid is not None else {}),
        in_kind_basis=in_kind_basis,
        in_kind_description=in_kind_description,
    )


def posted_event(actor, award: Award, entry: LedgerEntry) -> dict:
    """The audit event of a recorded entry, as audit_record's arguments."""
    kind = KINDS[entry.kind]
    paid = getattr(entry, kind.pays) if kind.pays else None
    return dict(
        actor=actor,
        action=f"budgets.ledger.{entry.kind}_posted",
        obj=entry,
        task_force=award.task_force,
        after={
            "kind": entry.kind,
            "amount": str(entry.amount),
            "category": entry.category,
            "share": entry.share,
            "effective_date": str(entry.effective_date),
            **({kind.pays: paid.pk if paid else None} if kind.pays else {}),
            **({"in_kind_basis": entry.in_kind_basis} if entry.in_kind_basis else {}),
            **({"reference": entry.reference} if entry.reference else {}),
        },
    )


# How an expenditure's date paid is recorded: the kind whose entries pay expenditures.
PAYMENT = next(kind for kind in KINDS.values() if kind.pays == Kind.EXPENDITURE)


def _check_paid_on(
    book: Book, amount: Decimal, share: str, incurred: date, paid_on: date, today: date
) -> None:
    """An expenditure's date paid, checked as its payment will be: not before it was
    incurred, and (federal money) within the federal cash on hand that day."""
    if paid_on < incurred:
        raise ValidationError({"paid_on": "The date paid cannot be before the date incurred."})
    _check_date(book, PAYMENT, paid_on, paying=True, today=today, field="paid_on")

    def refused(amount: Decimal, low: Low, what: str) -> ValidationError:
        return ValidationError(
            {
                "paid_on": f"Paying {format_money(amount)} on {paid_on:%m/%d/%Y} needs "
                f"{format_money(amount - low.amount)} more than the {format_money(low.amount)} "
                f"{what}{_on_day(low)}. Leave the date paid blank, draw the cash, "
                "and record the payment when it is made."
            }
        )

    _check_limits(book, PAYMENT, share, True, amount, paid_on, refused)


def _write_payment(actor, award: Award, expenditure: LedgerEntry, paid_on: date) -> LedgerEntry:
    """The payment of an expenditure in full on its date paid (checked by _check_paid_on)."""
    payment = _write_entry(payment_entry(actor, award, expenditure, paid_on))
    audit_record(**payment_event(actor, award, payment))
    return payment


def payment_entry(actor, award: Award, expenditure: LedgerEntry, paid_on: date) -> LedgerEntry:
    """The payment of `expenditure` on its date paid, unsaved."""
    return LedgerEntry(
        award=award,
        kind=PAYMENT.code,
        share=expenditure.share,
        amount=expenditure.amount,
        effective_date=paid_on,
        actor=actor,
        memo=payment_memo(expenditure),
        idempotency_key=uuid.uuid5(expenditure.idempotency_key, "paid"),
        expenditure=expenditure,
    )


def payment_memo(expenditure: LedgerEntry) -> str:
    # An expenditure not yet written (a ledger import's dry run) is named by its reference.
    name = f"#{expenditure.pk}" if expenditure.pk else expenditure.reference
    return f"Payment of expenditure {name}"


def payment_event(actor, award: Award, payment: LedgerEntry) -> dict:
    """The audit event of an expenditure's payment on its date paid."""
    return dict(
        actor=actor,
        action=f"budgets.ledger.{PAYMENT.code}_posted",
        obj=payment,
        task_force=award.task_force,
        after={
            "kind": PAYMENT.code,
            "amount": str(payment.amount),
            "share": payment.share,
            "effective_date": str(payment.effective_date),
            "expenditure": payment.expenditure.pk,
        },
    )


@refusal_audited("budgets.ledger_entry.refused", on="entry", attempted="reverse")
@transaction.atomic
def entry_reverse(
    *,
    actor,
    entry: LedgerEntry,
    reason: str,
    idempotency_key: uuid.UUID,
    effective_date: date | None = None,
    today: date | None = None,
) -> LedgerEntry:
    """Cancel a posted entry with a reversing entry; the original is never changed."""
    award = lock_award(entry.award_id)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers reverse entries.",
    )
    _check_open_for_money(award)
    entry = LedgerEntry.objects.select_related("reversed_by").get(pk=entry.pk)
    replay = _replay(LedgerEntry, idempotency_key, reverses_id=entry.pk)
    if replay:
        return replay
    reason = clean_text(reason)
    if not reason:
        raise ValidationError({"reason": "Say why the entry is reversed."})
    if entry.reverses_id:
        raise ValidationError(
            "A reversal cannot itself be reversed; record the entry again instead."
        )
    if hasattr(entry, "reversed_by"):
        raise ValidationError(
            f"This entry was already reversed on {entry.reversed_by.effective_date:%m/%d/%Y}."
        )
    today = today or timezone.localdate()
    effective_date = effective_date or today
    if effective_date < entry.effective_date:
        raise ValidationError(
            {"effective_date": "A reversal cannot be dated before the entry it reverses."}
        )
    if effective_date > today:
        raise ValidationError({"effective_date": f"{effective_date:%m/%d/%Y} is in the future."})
    payers = [kind for kind in KINDS.values() if kind.pays == entry.kind]
    if (
        payers
        and LedgerEntry.objects.filter(
            kind__in=[kind.code for kind in payers],
            reversed_by__isnull=True,
            reverses__isnull=True,
            **{entry.kind: entry},
        ).exists()
    ):
        raise ValidationError(
            f"{either([kind.label + 's' for kind in payers])} have paid this "
            f"{entry.get_kind_display().lower()}; reverse them first."
        )
    # A reversal moves its entry's totals back: it must fit under what that lowers (the
    # return of a drawdown, under cash on hand).
    lowered = KINDS[entry.kind].lowers(entry.share, entry.paying, sign=-1)
    lows = lowest_from(award, since=effective_date) if lowered else {}
    for limit in lowered:
        low = lows[limit.name]
        if entry.amount > low.amount:
            raise ValidationError(
                limit.reversal_refused.format(
                    amount=format_money(entry.amount),
                    low=format_money(low.amount),
                    on_day=_on_day(low),
                )
            )
    check_indirect_cap(
        award, kind=entry.kind, category=entry.category, amount=-entry.amount, day=effective_date
    )
    reversal = _write_entry(
        award=award,
        kind=entry.kind,
        category=entry.category,
        share=entry.share,
        amount=entry.amount,
        effective_date=effective_date,
        actor=actor,
        memo=reason,
        idempotency_key=idempotency_key,
        obligation=entry.obligation,
        expenditure=entry.expenditure,
        reverses=entry,
        in_kind_basis=entry.in_kind_basis,
        in_kind_description=entry.in_kind_description,
    )
    audit_record(
        actor=actor,
        action="budgets.ledger.reversed",
        obj=reversal,
        task_force=award.task_force,
        data={"reverses": entry.pk, "reason": reason, "amount": str(entry.amount)},
    )
    cash_holds.lift_if_cleared(award, actor=None, today=today, by=f"entry {entry.pk} reversed")
    return reversal


def _check_drawable(award: Award, today: date) -> None:
    reasons = [hold.reason for hold in active_holds(award=award).order_by("placed_at", "pk")]
    # A stop whose hold the daily run has already placed is named once.
    reasons += [r for r in drawdown_stops.reasons(award, today) if r not in reasons]
    if reasons:
        raise ValidationError(f"Drawdowns are on hold for award {award}: {'; '.join(reasons)}.")
    _check_open_for_money(award)
    end = liquidation_end(award)
    if today > end:
        raise ValidationError(
            f"The liquidation period of award {award} ended on {end:%m/%d/%Y}; no more cash can be drawn."
        )


@refusal_audited("budgets.drawdown.refused", on="award", attempted="request")
@transaction.atomic
def drawdown_request(
    *,
    actor,
    award: Award,
    amount,
    idempotency_key: uuid.UUID,
    memo: str = "",
    today: date | None = None,
) -> DrawdownRequest:
    """Ask for federal cash. Refused while on hold, after liquidation, or beyond what is
    available (authorized less drawn less requests still open: invariant 1). Approved at
    once unless a person must decide (budgets.cash_need: the award requires it, holds
    excess cash, or the amount is more than its immediate need)."""
    award = lock_award(award.pk)
    access.require(
        access.can_record_spending(actor, award),
        "Only the task force's finance officers request drawdowns.",
    )
    amount = _amount(amount)
    replay = _replay(DrawdownRequest, idempotency_key, award_id=award.pk, amount=amount)
    if replay:
        return replay
    today = today or timezone.localdate()
    _check_drawable(award, today)
    # Every draw counts, but only the funds authorized by the day of the request: a
    # supplement taking effect later adds nothing to draw yet.
    available = replace(
        award_balances(award, as_of=date.max),
        authorized=authorized_on(award, today) - ledger_sums(award)["deobligated"],
    ).available_to_draw
    if amount > available:
        raise ValidationError(
            {
                "amount": f"{format_money(amount)} is {format_money(amount - available)} more than the "
                f"{format_money(available)} available to draw."
            }
        )
    reasons = cash_need.review_reasons(award, amount, today=today)
    automatic = not reasons
    request = DrawdownRequest.objects.create(
        award=award,
        amount=amount,
        requested_on=today,
        requested_by=actor,
        memo=clean_text(memo),
        idempotency_key=idempotency_key,
        status=DrawdownRequest.Status.APPROVED if automatic else DrawdownRequest.Status.REQUESTED,
        decided_at=timezone.now() if automatic else None,
        decision_note="Approved automatically (within the award's immediate need)"
        if automatic
        else "",
        review_reasons=reasons,
    )
    audit_record(
        actor=actor,
        action="budgets.drawdown.requested",
        obj=request,
        task_force=award.task_force,
        after={"amount": str(amount), "status": request.status, "review_reasons": reasons},
    )
    return request


OWN_REQUEST = "The person who requested a drawdown cannot approve, reject or pay it."
OWN_APPROVAL = "The person who approved a drawdown cannot also record its payment."


def _decide(
    actor, request: DrawdownRequest, *, allowed_from: tuple[str, ...]
) -> tuple[Award, DrawdownRequest]:
    award = lock_award(request.award_id)
    access.require(
        access.can_decide_drawdowns(actor), "Only a financial approver decides drawdowns."
    )
    request = DrawdownRequest.objects.get(pk=request.pk)
    if request.requested_by_id == actor.pk:  # re-read under the lock
        raise PermissionDenied(OWN_REQUEST)
    if request.status not in allowed_from:
        raise ValidationError(f"This drawdown is {request.get_status_display().lower()}.")
    return award, request


@refusal_audited("budgets.drawdown.refused", on="request", attempted="approve")
@decided_by_another(
    "request", action="budgets.drawdown.sod_violation", message=OWN_REQUEST, attempted="approve"
)
@transaction.atomic
def drawdown_approve(
    *, actor, request: DrawdownRequest, note: str = "", today: date | None = None
) -> DrawdownRequest:
    award, request = _decide(actor, request, allowed_from=(DrawdownRequest.Status.REQUESTED,))
    _check_drawable(award, today or timezone.localdate())
    return _record_decision(actor, award, request, DrawdownRequest.Status.APPROVED, note)


@refusal_audited("budgets.drawdown.refused", on="request", attempted="reject")
@decided_by_another(
    "request", action="budgets.drawdown.sod_violation", message=OWN_REQUEST, attempted="reject"
)
@transaction.atomic
def drawdown_reject(*, actor, request: DrawdownRequest, note: str) -> DrawdownRequest:
    award, request = _decide(actor, request, allowed_from=DrawdownRequest.OPEN)
    if not (note or "").strip():
        raise ValidationError({"note": "Say why the drawdown is rejected."})
    return _record_decision(actor, award, request, DrawdownRequest.Status.REJECTED, note)


def _record_decision(actor, award: Award, request: DrawdownRequest, status, note: str):
    """Write an approval or rejection and its audit event (a rejection's with its reason)."""
    before = request.status
    request.status, request.decided_by, request.decided_at = status, actor, timezone.now()
    request.decision_note = note.strip()
    request.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    after = {"status": status}
    if status == DrawdownRequest.Status.REJECTED:
        after["note"] = request.decision_note
    audit_record(
        actor=actor,
        action=f"budgets.drawdown.{status}",
        obj=request,
        task_force=award.task_force,
        before={"status": before},
        after=after,
    )
    return request


def _check_drawn_within_authorized(award: Award, amount: Decimal, paid_on: date) -> None:
    """Invariant 1 from the day the cash arrived: a payment dated in the past counts in
    10a from that day on, so it must fit under the funds authorized less what is drawn on
    every day from then (a supplement that took effect later adds nothing before it; a
    later deobligation takes off). The request was checked against today's amounts; a
    back-dated payment is checked again here. A drawdown raises cash on hand, so no other
    limit of the ledger can fall by it."""
    low = lowest_from(award, since=paid_on)["undrawn"]
    if amount > low.amount:
        raise ValidationError(
            {
                "paid_on": f"Paid on {paid_on:%m/%d/%Y}, {format_money(amount)} is "
                f"{format_money(amount - low.amount)} more than the {format_money(low.amount)} "
                f"of the funds authorized not yet drawn on award {award}{_on_day(low)}."
            }
        )


@refusal_audited("budgets.drawdown.refused", on="request", attempted="mark paid")
@decided_by_another(
    "request", action="budgets.drawdown.sod_violation", message=OWN_REQUEST, attempted="mark paid"
)
@transaction.atomic
def drawdown_mark_paid(
    *,
    actor,
    request: DrawdownRequest,
    paid_on: date | None = None,
    today: date | None = None,
) -> DrawdownRequest:
    """Record that the cash arrived: the drawdown enters the ledger (SF-425 line 10a)."""
    award, request = _decide(actor, request, allowed_from=(DrawdownRequest.Status.APPROVED,))
    if request.decided_by_id == actor.pk:
        raise PermissionDenied(OWN_APPROVAL)
    today = today or timezone.localdate()
    paid_on = paid_on or today
    if paid_on < request.requested_on or paid_on > today:
        raise ValidationError(
            {"paid_on": "The payment date must fall between the request and today."}
        )
    _check_drawn_within_authorized(award, request.amount, paid_on)
    entry = _write_entry(
        award=award,
        kind=Kind.DRAWDOWN,
        amount=request.amount,
        effective_date=paid_on,
        actor=actor,
        memo=f"Drawdown request {request.pk}",
        idempotency_key=uuid.uuid5(request.idempotency_key, "paid"),
    )
    request.status, request.paid_by, request.ledger_entry = (
        DrawdownRequest.Status.PAID,
        actor,
        entry,
    )
    request.save(update_fields=["status", "paid_by", "ledger_entry"])
    audit_record(
        actor=actor,
        action="budgets.drawdown.paid",
        obj=request,
        task_force=award.task_force,
        before={"status": DrawdownRequest.Status.APPROVED},
        after={"status": DrawdownRequest.Status.PAID, "entry": entry.pk, "paid_on": str(paid_on)},
    )
    return request


@refusal_audited("budgets.deobligation.refused", on="award", attempted="deobligate")
def deobligation_post(*, actor, award: Award, amendment, on: date) -> LedgerEntry:
    """Take the amendment's amount off the award: a deobligation entry dated `on` (the
    funds authorized, 10d, and so 10h fall by it from that day) and the same amount given
    back to the award's appropriations (grants.amendments.funding_return). Runs in the
    caller's transaction, which holds the award lock.

    Refused, with the amounts, when it is more than the unobligated balance (10h) on any
    day from `on`: an award never goes below what is spent and obligated
    (docs/rules/deobligation.md#on-the-ledger)."""
    amount = amendment.amount
    lows = lowest_from(award, since=on)
    low = lows["unobligated"]
    if amount > low.amount:
        committed = award.federal_amount - low.latest
        raise ValidationError(
            {
                "decrease_amount": f"Taking {format_money(amount)} off the award would leave "
                f"{format_money(award.federal_amount - amount)}, {format_money(amount - low.amount)} "
                f"below the {format_money(committed)} already spent and obligated "
                f"(only {format_money(low.amount)} is unobligated{_on_day(low)})."
            }
        )
    undrawn = lows["undrawn"]
    if amount > undrawn.amount:
        raise ValidationError(
            {
                "decrease_amount": f"Taking {format_money(amount)} off the award would leave "
                f"less authorized than the cash already drawn (only {format_money(undrawn.amount)} "
                f"is undrawn{_on_day(undrawn)}): the task force returns the excess cash first."
            }
        )
    entry = _write_entry(
        award=award,
        kind=Kind.DEOBLIGATION,
        amount=amount,
        effective_date=on,
        actor=actor,
        memo=f"Amendment {amendment.number}: {amendment.get_kind_display().lower()}",
        idempotency_key=uuid.uuid5(uuid.NAMESPACE_OID, f"deobligation-amendment-{amendment.pk}"),
    )
    funding_return(actor=actor, award=award, amendment=amendment, on=on)
    audit_record(
        actor=actor,
        action="budgets.ledger.deobligation_posted",
        obj=entry,
        task_force=award.task_force,
        after={"kind": entry.kind, "amount": str(amount), "effective_date": str(on)},
        data={"amendment": amendment.pk, "amendment_number": amendment.number},
    )
    return entry


@refusal_audited("budgets.ledger_entry.refused", on="award", attempted="post final figures")
def final_figures_post(*, actor, award: Award, expended: Decimal, on: date, today: date) -> None:
    """A past award's final federal figures, recorded as one day of its ledger: the cash
    drawn, the expenditures it paid and their payment, all `on` (the period's last day),
    so the SF-425 lines 10a, 10b and 10e read the award's final figures as of that day.
    Runs in the caller's transaction, which holds the award lock (the history import,
    budgets.history_import). The expenditure and its payment are checked by the rules of
    an entry posted by hand (checked_entry: an open award, the date in the period, a
    budget for the category, the funds authorized and the cash on hand); the drawdown by
    the rule of a drawdown paid that day (_check_drawn_within_authorized). `today` is the
    import's day, by which the entries' dates are checked."""
    _check_open_for_money(award)
    _check_drawn_within_authorized(award, expended, on)
    key = uuid.uuid5(uuid.NAMESPACE_OID, f"past-award-{award.pk}")
    cash = _write_entry(
        award=award,
        kind=Kind.DRAWDOWN,
        amount=expended,
        effective_date=on,
        actor=actor,
        memo="Cash drawn over the award's life (history import)",
        idempotency_key=uuid.uuid5(key, Kind.DRAWDOWN),
    )
    # Checked after the drawdown is written, so the payment finds the cash on hand.
    spent = checked_entry(
        DatabaseBook(award),
        KINDS[Kind.EXPENDITURE],
        amount=expended,
        effective_date=on,
        category=Category.OTHER,
        share=Share.FEDERAL,
        memo="Final federal expenditures (history import)",
        paid_on=on,
        obligation=None,
        expenditure=None,
        in_kind_basis="",
        in_kind_description="",
        today=today,
    )
    spent.actor, spent.idempotency_key = actor, uuid.uuid5(key, Kind.EXPENDITURE)
    spent = _write_entry(spent)
    audit_record(**posted_event(actor, award, spent))
    payment = _write_payment(actor, award, spent, on)
    audit_record(
        actor=actor,
        action="budgets.ledger.final_figures_posted",
        obj=award,
        task_force=award.task_force,
        after={
            "drawn": str(cash.amount),
            "expended": str(spent.amount),
            "paid": str(payment.amount),
            "on": str(on),
        },
        data={"entries": [cash.pk, spent.pk, payment.pk], "today": str(today)},
    )
