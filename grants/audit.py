"""The audit trail: who did what to which object, when, with the values before and after.

Rows are written only by `audit_record()`, from inside the service that made the change,
so a change and its audit row commit or roll back together; a refused attempt's row is
the exception, written after the rollback (grants.refusals). Rows are never changed.

Each row is a link of a hash chain (grants.audit_chain): writers take the chain's head row
(AuditChainHead) under a lock, so two of them can never link to the same previous event.
Many events at once: `audit_record_many`; many one at a time in one long transaction:
`audit_chain_held`.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models, transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from grants import protected, request_context
from grants.audit_chain import GENESIS, canonical, link_hash, stored_json
from grants.bulk import insert_many

SECRET_WORDS = ("password", "secret", "token", "api_key")


class AuditEvent(models.Model):
    # Set when the event is linked, before it is hashed (AuditChainHead.seal), so the
    # hash covers it; auto_now_add would set it after.
    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
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
    request_id = models.CharField(max_length=64, blank=True)
    source_address = models.GenericIPAddressField(null=True, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)

    class Meta:
        app_label = "grants"
        ordering = ["-occurred_at", "-pk"]
        indexes = [
            models.Index(fields=["content_type", "object_id"], name="grants_audit_object_idx")
        ]
        triggers = [protected.append_only("audit_event_append_only")]

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.action} {self.object_repr}"

    def save(self, *args, **kwargs):
        # An integrity guard, not a business rule: the trail is append-only.
        if self.pk is not None:
            raise ValueError("audit events are never changed")
        with transaction.atomic():
            head = AuditChainHead.lock()
            head.seal(self)
            super().save(*args, **kwargs)
            head.advance(1)

    def chain_content(self, stored: bool = False) -> bytes:
        """What the hash covers (grants.audit_chain.canonical); `stored`: its data is
        already as stored."""
        content_type = None
        if self.content_type_id is not None:
            ct = ContentType.objects.get_for_id(self.content_type_id)
            content_type = f"{ct.app_label}.{ct.model}"
        return canonical(
            occurred_at=self.occurred_at,
            actor=self.actor_id,
            action=self.action,
            task_force=self.task_force_id,
            content_type=content_type,
            object_id=self.object_id,
            object_repr=self.object_repr,
            data=self.data,
            request_id=self.request_id,
            source_address=self.source_address,
            stored=stored,
        )

    def delete(self, *args, **kwargs):
        raise ValueError("audit events are never deleted")


# Set inside audit_chain_held(): the head row is locked and will be written at its end.
_held: ContextVar[bool] = ContextVar("audit_chain_held", default=False)


class AuditChainHead(models.Model):
    """The chain's last link: one row that every writer locks before it links an event,
    holding the last event's hash and how many events there are (a removed last event
    shows as a head that no event matches)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    hash = models.CharField(max_length=64, default=GENESIS)
    count = models.BigIntegerField(default=0)

    class Meta:
        app_label = "grants"

    def __str__(self) -> str:
        return f"{self.count} events, head {self.hash}"

    @classmethod
    def lock(cls) -> "AuditChainHead":
        """The head row, locked until the transaction ends (SELECT ... FOR UPDATE; on
        SQLite the IMMEDIATE transaction already holds the database's write lock). A
        database emptied by a test's flush gets its row back here.

        Inside audit_chain_held() the row is locked already: the head returned is where
        the chain now ends, its last event, and the row is written when the hold ends."""
        if _held.get():
            last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
            return cls(hash=last or GENESIS)
        head = cls.objects.select_for_update().filter(pk=1).first()
        if head is None:
            last = AuditEvent.objects.order_by("-pk").values_list("hash", flat=True).first()
            cls.objects.get_or_create(
                pk=1, defaults={"hash": last or GENESIS, "count": AuditEvent.objects.count()}
            )
            head = cls.objects.select_for_update().get(pk=1)
        return head

    @classmethod
    def current(cls) -> "AuditChainHead":
        """The head as last committed, without a lock: for pages and manifests."""
        return cls.objects.filter(pk=1).first() or cls(hash=GENESIS, count=0)

    def seal(self, event: AuditEvent) -> None:
        """Link `event` (unsaved) after the current head; the head moves to it. Its time
        is taken under the lock, as auto_now_add would, so times follow the chain."""
        event.occurred_at = timezone.now()
        event.data = stored_json(event.data)
        event.prev_hash = self.hash
        event.hash = link_hash(self.hash, event.chain_content(stored=True))
        self.hash = event.hash

    def advance(self, events: int) -> None:
        if _held.get():
            return  # audit_chain_held() writes the row once, when the hold ends
        self.count += events
        self.save(update_fields=["hash", "count"])


@contextmanager
def audit_chain_held():
    """For one transaction that records thousands of events one at a time (the demo
    loader): the chain's head row is locked once, at the start, and written once, at the
    end, instead of rewritten with every event. PostgreSQL keeps each rewrite of a row
    as a new version until the transaction ends, and every later read of the row walks
    past them all, so an event cost 10 ms by the 6,000th.

    Inside, each event links after the last event in the table, so one rolled back with
    a savepoint (a refused service call) leaves no gap in the chain. The head then
    records the last event and how many were added. Events are written by one writer at
    a time: the others wait on the row's lock, as they would for a single event."""
    if _held.get():  # held already, by an enclosing block
        yield
        return
    with transaction.atomic():
        head = AuditChainHead.lock()
        before = AuditEvent.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
        token = _held.set(True)
        try:
            yield
        finally:
            _held.reset(token)
        added = AuditEvent.objects.filter(pk__gt=before).order_by("-pk")
        last = added.values_list("hash", flat=True).first()
        if last is not None:
            head.hash, head.count = last, head.count + added.count()
            head.save(update_fields=["hash", "count"])


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
    event = new_event(
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
    (grants.bulk) instead of one per event.

    They are linked into the chain in list order under one lock of its head, which is
    held until the caller's transaction ends: call it inside that transaction, after the
    rows it audits are written and every other lock is taken. The rows go in with one
    COPY (PostgreSQL) or INSERT per batch, which hand out ids in list order, so id order
    stays chain order."""
    built = [new_event(**event) for event in events]
    if not built:
        return
    with transaction.atomic():
        head = AuditChainHead.lock()
        for event in built:
            head.seal(event)
        insert_many(AuditEvent, built, batch_size=batch_size)
        head.advance(len(built))


def new_event(
    *,
    actor,
    action: str,
    obj: models.Model | None = None,
    task_force=None,
    before: dict | None = None,
    after: dict | None = None,
    data: dict | None = None,
) -> AuditEvent:
    """The unsaved event audit_record writes (with the request's id and address)."""
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
    context = request_context.current()
    values = {
        "occurred_at": timezone.now(),
        "actor_id": actor.pk if actor is not None and actor.is_authenticated else None,
        "action": action,
        "task_force_id": None if task_force is None else task_force.pk,
        "data": payload,
        "request_id": context.request_id,
        "source_address": context.source_address,
        "object_id": "",
        "object_repr": "",
        "prev_hash": "",
        "hash": "",
    }
    if obj is not None:
        values["content_type_id"] = ContentType.objects.get_for_model(obj).pk
        values["object_id"] = str(obj.pk)
        values["object_repr"] = str(obj)[:300]
    # Every field by position and relations by their keys: the model's quickest way in
    # (a third of the time by name), and a ledger import builds one event per entry. A
    # field not given gets its default, as AuditEvent(name=...) would give it.
    return AuditEvent(
        *(
            values[name] if name in values else default() if calls else default
            for name, default, calls in positional_fields()
        )
    )


_positional: list[tuple[str, object, bool]] = []


def positional_fields() -> list[tuple[str, object, bool]]:
    """AuditEvent's concrete fields in the order its constructor takes them by position:
    (attname, default, whether the default is called for each event), read once (a
    callable default, such as timezone.now or dict, gives each event its own value)."""
    if not _positional:
        for field in AuditEvent._meta.concrete_fields:
            calls = field.has_default() and callable(field.default)
            _positional.append(
                (field.attname, field.default if calls else field.get_default(), calls)
            )
    return _positional
