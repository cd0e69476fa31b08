"""The audit trail's hash chain: each event carries the SHA-256 of the event before it and
of its own canonical content, so a row changed, removed or slipped in with plain SQL breaks
every link after it (`manage.py verify_audit`; docs/security.md#the-audit-chain).

Pure functions only, with no model imports: the backfill migration uses them too, and a
hash must come out the same there, in `AuditEvent.save`, in `audit_record_many` and in the
walk that verifies it.
"""

import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from django.core.serializers.json import DjangoJSONEncoder

# The previous hash of the first event: no event came before it.
GENESIS = "0" * 64

# What the hash covers, in the order `content()` takes it; the keys of the canonical JSON.
FIELDS = (
    "occurred_at",
    "actor",
    "action",
    "task_force",
    "content_type",
    "object_id",
    "object_repr",
    "data",
    "request_id",
    "source_address",
)


def stored_json(data):
    """`data` as the database gives it back: the JSON field's own encoder turns Decimals,
    dates and UUIDs into strings, so hashing the round trip hashes what is stored."""
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


def canonical(
    *,
    occurred_at: datetime,
    actor: int | None,
    action: str,
    task_force: int | None,
    content_type: str | None,
    object_id: str,
    object_repr: str,
    data,
    request_id: str,
    source_address: str | None,
    stored: bool = False,
) -> bytes:
    """One event's content as canonical JSON: sorted keys, no spaces, the time in UTC to
    the microsecond, the content type as "app_label.model", amounts and dates as strings.
    `stored`: `data` is already as stored (stored_json's result), so is not turned into
    JSON and back again, which would give the same."""
    content = {
        "occurred_at": occurred_at.astimezone(UTC).isoformat(timespec="microseconds"),
        "actor": actor,
        "action": action,
        "task_force": task_force,
        "content_type": content_type,
        "object_id": object_id,
        "object_repr": object_repr,
        "data": data if stored else stored_json(data),
        "request_id": request_id,
        "source_address": source_address or None,
    }
    return json.dumps(
        content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, cls=DjangoJSONEncoder
    ).encode()


def link_hash(prev_hash: str, content: bytes) -> str:
    """SHA-256 over the previous event's hash, a newline and this event's content."""
    return hashlib.sha256(prev_hash.encode("ascii") + b"\n" + content).hexdigest()


@dataclass(frozen=True)
class Link:
    """One stored event as the walk reads it."""

    pk: int
    action: str
    prev_hash: str
    hash: str
    content: bytes


@dataclass(frozen=True)
class Break:
    """The first link that does not hold."""

    pk: int
    action: str
    what: str  # "prev_hash" or "hash"
    expected: str
    found: str

    def __str__(self) -> str:
        return (
            f"event {self.pk} ({self.action}): {self.what} expected {self.expected}, "
            f"found {self.found or '(blank)'}"
        )


@dataclass(frozen=True)
class Walk:
    count: int
    head: str  # the last event's hash, GENESIS for an empty trail
    broken: Break | None
    at_checkpoint: str | None = None  # the hash after `checkpoint` events, if reached


def walk(links, checkpoint: int = -1) -> Walk:
    """Follow `links` (Link, in pk order) and stop at the first one that does not hold:
    a previous hash other than the last event's hash (an event removed or slipped in),
    or a hash other than the content's (an event changed). Notes the hash reached after
    `checkpoint` events (the count the chain head recorded when the walk began)."""
    prev, count = GENESIS, 0
    at_checkpoint = prev if checkpoint == 0 else None
    for link in links:
        if link.prev_hash != prev:
            broken = Break(link.pk, link.action, "prev_hash", prev, link.prev_hash)
            return Walk(count, prev, broken, at_checkpoint)
        expected = link_hash(prev, link.content)
        if link.hash != expected:
            broken = Break(link.pk, link.action, "hash", expected, link.hash)
            return Walk(count, prev, broken, at_checkpoint)
        prev, count = link.hash, count + 1
        if count == checkpoint:
            at_checkpoint = prev
    return Walk(count, prev, None, at_checkpoint)
