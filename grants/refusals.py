"""Refused attempts stay on record: who tried what on which award, and why it was refused.

A money service refuses an attempt by raising (ValidationError: an amount over a
balance, a date outside the period; PermissionDenied: deciding one's own request), and
its transaction rolls back, and with it anything it wrote. So a refusal's audit event is
not written where it is found: it is kept aside (`record_refusal`) and written when the
outermost `refusals_kept()` block ends, after every transaction opened inside it has
rolled back. A service marked `@refusal_audited(...)` opens that block around itself,
outside its own transaction; whoever runs services inside a transaction of their own
(an import that refuses a whole file, a request) opens it outside theirs, so the events
are not rolled back with it. The events carry the request's id and source address, and
how the actor acted (an API token), as of when the refusal was found.
"""

import functools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import date
from decimal import Decimal

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from grants.audit import AuditEvent, new_event

_kept: ContextVar[list[AuditEvent] | None] = ContextVar("kept_refusals", default=None)

# Which refusal it was, in the event: a rule of the money refused the values given, or the
# actor may not do that (their role, or deciding their own request).
_REFUSED_AS = {ValidationError: "invalid", PermissionDenied: "not permitted"}

# What a refusal's event keeps of the service's arguments, besides the object and actor.
_PLAIN = (str, int, bool, Decimal, date)
_LONGEST = 300


@contextmanager
def refusals_kept() -> Iterator[None]:
    """Refusals recorded inside are written as it ends, each in its own transaction.
    Open it outside any transaction that may roll back; nested blocks leave the writing to
    the outermost."""
    if _kept.get() is not None:
        yield
        return
    kept: list[AuditEvent] = []
    reset = _kept.set(kept)
    try:
        yield
    finally:
        _kept.reset(reset)
        for event in kept:
            event.save()


def record_refusal(
    *, actor, action: str, obj: models.Model | None, attempted: str, reasons, given=None
) -> None:
    """Keep the event of a refused attempt for the enclosing `refusals_kept()` block (or
    write it now outside one). `obj` is what was acted on: an award, or a record of one
    (its award and task force are named), or None. `reasons`: the refusal (an exception or
    its messages); the event says whether it was a ValidationError ("invalid") or a
    PermissionDenied ("not permitted")."""
    award = _award_of(obj)
    data = {"attempted": attempted, "refused": _reasons(reasons)}
    for kind, refused_as in _REFUSED_AS.items():
        if isinstance(reasons, kind):
            data["refused_as"] = refused_as
    if award is not None:
        data["award"] = award.award_number
    if given:
        data["given"] = given
    event = new_event(
        actor=actor,
        action=action,
        obj=obj,
        task_force=_task_force_of(obj, award),
        data=data,
    )
    kept = _kept.get()
    if kept is None:
        event.save()
    else:
        kept.append(event)


def refusals_written(service):
    """Run `service` inside a `refusals_kept()` block: the refusals it records itself
    (record_refusal) are written after its transaction has rolled back. Put it above the
    service's @transaction.atomic."""

    @functools.wraps(service)
    def kept(**kwargs):
        with refusals_kept():
            return service(**kwargs)

    return kept


def refusal_audited(action: str, *, on: str, attempted: str):
    """Mark a service whose ValidationError or PermissionDenied is a refused attempt to
    audit as `action`: `on` names the keyword argument holding what it acts on
    (grants.refusals). Put it above the service's @transaction.atomic, so it is outside
    the transaction."""

    def wrap(service):
        @functools.wraps(service)
        def audited(**kwargs):
            with refusals_kept():
                try:
                    return service(**kwargs)
                except (ValidationError, PermissionDenied) as error:
                    # A service called by another audits the refusal once: the inner one,
                    # which knows best what was refused (or refuse_own_decision, which
                    # audits a decision on one's own request as a duty's violation).
                    if not getattr(error, "refusal_recorded", False):
                        error.refusal_recorded = True
                        record_refusal(
                            actor=kwargs.get("actor"),
                            action=action,
                            obj=kwargs.get(on),
                            attempted=attempted,
                            reasons=error,
                            given=_given(kwargs, skip=("actor", on)),
                        )
                    raise

        return audited

    return wrap


def _reasons(reasons) -> dict:
    if isinstance(reasons, ValidationError):
        if hasattr(reasons, "error_dict"):
            return {field: list(messages) for field, messages in reasons.message_dict.items()}
        return {"": list(reasons.messages)}
    return {"": [str(reasons)]}


def _given(kwargs: dict, *, skip: tuple[str, ...]) -> dict:
    """The plain values the attempt gave (amounts, dates, notes), and the records it
    named, shortened to what an event holds."""
    given = {}
    for name, value in kwargs.items():
        if name in skip or value is None:
            continue
        if isinstance(value, models.Model):
            value = f"{value._meta.verbose_name} {value.pk}"
        elif not isinstance(value, _PLAIN):
            continue
        given[name] = value[:_LONGEST] if isinstance(value, str) else value
    return given


def _award_of(obj):
    from grants.models import Award

    if obj is None:
        return None
    if isinstance(obj, Award):
        return obj
    return getattr(obj, "award", None) if hasattr(obj, "award_id") else None


def _task_force_of(obj, award):
    from grants.models import TaskForce

    if isinstance(obj, TaskForce):
        return obj
    if award is not None:
        return award.task_force
    if obj is not None and hasattr(obj, "task_force_id"):
        return obj.task_force
    return None
