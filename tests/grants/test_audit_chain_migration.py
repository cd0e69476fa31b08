"""Migration grants 0021: the events written before the chain existed are linked in id
order, the head is set, and events written afterwards extend the same chain."""

from datetime import datetime
from decimal import Decimal
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import call_command
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from grants.audit import AuditChainHead, AuditEvent, audit_record
from grants.audit_chain import GENESIS, link_hash

BEFORE = [("grants", "0020_audit_chain")]
AFTER = [("grants", "0021_audit_chain_backfill")]


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def program(committed_program):
    """Committed: the test's other connections see the records."""
    return committed_program


@pytest.fixture
def latest_schema_after():
    yield
    executor = MigrationExecutor(connection)
    migrate(executor.loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()


@pytest.mark.slow
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_existing_events_are_linked_in_id_order(program, latest_schema_after):
    award, pm = program.award_a, program.pm
    award_type = ContentType.objects.get_for_model(award).pk
    old = migrate(BEFORE)
    Event = old.get_model("grants", "AuditEvent")
    Event.objects.all().delete()  # the program fixture's own events: start from none
    at = timezone.make_aware(datetime(2025, 1, 2, 9, 30, 15, 123456))
    written = [
        Event.objects.create(
            occurred_at=at,
            actor_id=pm.pk,
            action=f"grants.award.step_{n}",
            content_type_id=award_type,
            object_id=str(award.pk),
            object_repr=str(award),
            data={"amount": str(Decimal("10.00") * n), "n": n},
        ).pk
        for n in range(3)
    ]
    migrate(AFTER)

    events = list(AuditEvent.objects.filter(pk__in=written).order_by("pk"))
    assert [e.prev_hash for e in events] == [GENESIS, events[0].hash, events[1].hash]
    for event in events:
        assert event.hash == link_hash(event.prev_hash, event.chain_content())
    head = AuditChainHead.objects.get()
    assert (head.hash, head.count) == (events[-1].hash, 3)

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
    ContentType.objects.clear_cache()
    later = audit_record(actor=pm, action="grants.award.after", obj=award)
    assert later.prev_hash == events[-1].hash
    out = StringIO()
    call_command("verify_audit", stdout=out)
    assert out.getvalue().splitlines()[2].startswith("OK: 4 audit events, every link holds")
    assert out.getvalue().rstrip().endswith(f"Head hash {later.hash}")
