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
        AuditEvent.objects.using(db).bulk_update(batch, ["prev_hash", "hash"])
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
