"""The audit trail: who did what to which object, when, with the values before and after.

Rows are written only by `audit_record()`, from inside the service that made the change,
so a change and its audit row commit or roll back together. Rows are never changed.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.forms.models import model_to_dict

from grants.bulk import insert_many

SECRET_WORDS = ("password", "secret", "token", "api_key")


class AuditEvent(models.Model):
    occurred_at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=80, db_index=True)
    task_force = models.ForeignKey(
        "grants.TaskForce",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    content_type = models.ForeignKey(ContentType, on_delete=models.PROTECT, null=True)
    object_id = models.CharField(max_length=64, blank=True)
    object_repr = models.CharField(max_length=300, blank=True)
    data = models.JSONField(encoder=DjangoJSONEncoder, default=dict)

    class Meta:
        app_label = "grants"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="grants_audit_object_idx")
        ]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # An integrity guard, not a business rule: the trail is append-only.
        if self.pk is not None:
            raise ValueError("audit events are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are never deleted")


def _clean(value):
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, dict):
        return {
            k: ("***" if any(w in k.lower() for w in SECRET_WORDS) else _clean(v))
            for k, v in value.items()
        }
    if isinstance(value, (list, tuple)):
        return [_clean(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: list[str] | None = None) -> dict:
    """The object's field values, as the audit trail keeps them."""
    return _clean(model_to_dict(obj, fields=fields))


# How the actor acted, when not through the pages: "API token 'Nightly sync'".
_via: ContextVar[str] = ContextVar("audit_via", default="")


@contextmanager
def audit_via(how: str):
    """Events recorded inside say `via`: how their actor acted (an API token's name)."""
    reset = _via.set(how)
    try:
        yield
    finally:
        _via.reset(reset)


def audit_record(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    task_force=None,
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """Record one event. When both before and after are given, only changed keys are kept."""
    event = _event(
        actor=actor,
        action=action,
        obj=obj,
        task_force=task_force,
        before=before,
        after=after,
        data=data,
    )
    event.save()
    return event


def audit_record_many(events: list[dict], *, batch_size: int = 1000) -> None:
    """Record many events at once, each given as audit_record's arguments: for a service
    that writes many objects in one transaction (a ledger import), one statement for all
    (grants.bulk) instead of one per event."""
    insert_many(AuditEvent, [_event(**event) for event in events], batch_size=batch_size)


def _event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    task_force=None,
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """The unsaved event audit_record writes."""
    payload = dict(_clean(data or {}))
    if _via.get():
        payload["via"] = _via.get()
    if before is not None and after is not None:
        changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
        payload["before"] = {k: before.get(k) for k in sorted(changed)}
        payload["after"] = {k: after.get(k) for k in sorted(changed)}
    elif after is not None:
        payload["after"] = after
    elif before is not None:
        payload["before"] = before
    event = AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        task_force=task_force,
        data=payload,
    )
    if obj is not None:
        event.content_type = ContentType.objects.get_for_model(obj)
        event.object_id = str(obj.pk)
        event.object_repr = str(obj)[:300]
    return event
