"""Walking the audit chain as stored: `manage.py verify_audit` and the backup drill.

The walk reads the events in pk order in keyset batches (constant memory, however long
the trail) inside one read snapshot, so events written meanwhile neither break nor join it.
"""

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.contrib.contenttypes.models import ContentType
from django.db import connection, transaction

from grants.audit import AuditChainHead, AuditEvent
from grants.audit_chain import Link, Walk, canonical, walk

BATCH = 2000
COLUMNS = (
    "pk",
    "action",
    "prev_hash",
    "hash",
    "occurred_at",
    "actor_id",
    "task_force_id",
    "content_type_id",
    "object_id",
    "object_repr",
    "data",
    "request_id",
    "source_address",
)


@dataclass(frozen=True)
class Verdict:
    walk: Walk
    head: AuditChainHead
    problem: str  # "" when every link holds and the head is the last event

    @property
    def ok(self) -> bool:
        return not self.problem


def _links(batch: int) -> Iterator[Link]:
    labels = {ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.all()}
    events = AuditEvent.objects.order_by("pk").values_list(*COLUMNS)
    last_pk = 0
    while rows := list(events.filter(pk__gt=last_pk)[:batch]):
        for pk, action, prev_hash, hash_, at, actor, tf, ct, oid, orepr, data, rid, addr in rows:
            content = canonical(
                occurred_at=at,
                actor=actor,
                action=action,
                task_force=tf,
                content_type=labels.get(ct),
                object_id=oid,
                object_repr=orepr,
                data=data,
                request_id=rid,
                source_address=addr,
            )
            yield Link(pk, action, prev_hash, hash_, content)
        last_pk = rows[-1][0]


@contextmanager
def _snapshot():
    """On PostgreSQL one REPEATABLE READ, READ ONLY transaction. SQLite stays in autocommit
    (a transaction would lock every writer out for the walk): events written meanwhile
    are walked too, and the head is checked where it stood when the walk began."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def verify_audit_chain(batch: int = BATCH) -> Verdict:
    """Every link, then the head: the hash and the count it recorded."""
    with _snapshot():
        head = AuditChainHead.current()
        result = walk(_links(batch), checkpoint=head.count)
    if result.broken is not None:
        return Verdict(result, head, str(result.broken))
    if result.at_checkpoint != head.hash:
        return Verdict(
            result,
            head,
            f"the chain head records {head.count} events ending in {head.hash}; the trail "
            f"holds {result.count} ending in {result.head} (events removed from its end?)",
        )
    return Verdict(result, head, "")
