"""Link the events written before the chain existed, in pk order, and set the head.

Keyset batches (pk > last) keep memory flat and never read a table while writing it.
"""

from django.db import migrations

from grants.audit_chain import GENESIS, canonical, link_hash

BATCH = 2000


def link_existing_events(apps, schema_editor):
    AuditEvent = apps.get_model("grants", "AuditEvent")
    AuditChainHead = apps.get_model("grants", "AuditChainHead")
    ContentType = apps.get_model("contenttypes", "ContentType")
    db = schema_editor.connection.alias
    labels = {
        ct.pk: f"{ct.app_label}.{ct.model}" for ct in ContentType.objects.using(db).all()
    }
    events = AuditEvent.objects.using(db).order_by("pk")
    # One plain UPDATE per row, sent as a batch: bulk_update's CASE grows with the batch.
    quote = schema_editor.connection.ops.quote_name
    update = (
        f"UPDATE {quote(AuditEvent._meta.db_table)} "
        f"SET {quote('prev_hash')} = %s, {quote('hash')} = %s WHERE {quote(AuditEvent._meta.pk.column)} = %s"
    )
    prev, count, last_pk = GENESIS, 0, 0
    while batch := list(events.filter(pk__gt=last_pk)[:BATCH]):
        for event in batch:
            content = canonical(
                occurred_at=event.occurred_at,
                actor=event.actor_id,
                action=event.action,
                task_force=event.task_force_id,
                content_type=labels.get(event.content_type_id),
                object_id=event.object_id,
                object_repr=event.object_repr,
                data=event.data,
                request_id=event.request_id,
                source_address=event.source_address,
            )
            event.prev_hash, event.hash = prev, link_hash(prev, content)
            prev = event.hash
        with schema_editor.connection.cursor() as cursor:
            cursor.executemany(update, [(e.prev_hash, e.hash, e.pk) for e in batch])
        count += len(batch)
        last_pk = batch[-1].pk
    AuditChainHead.objects.using(db).update_or_create(
        pk=1, defaults={"hash": prev, "count": count}
    )


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("grants", "0020_audit_chain"),
    ]

    operations = [
        migrations.RunPython(link_existing_events, migrations.RunPython.noop, elidable=False),
    ]
