"""The backup drill round trip, on the database the suite runs on: back up, restore into
a scratch database, and check_ledgers and verify_audit pass on the copy with the same
chain head. On SQLite a tampered audit row makes the drill fail, naming the event."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from grants.audit import AuditChainHead, AuditEvent
from tests.budgets.ledger_helpers import activate, draw

# The copy is read by other processes: the data must be committed.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


@pytest.fixture
def program(committed_program):
    """Committed: the test's other connections see the records."""
    return committed_program


@pytest.fixture
def money_moved(program):
    activate(program)
    draw(program, "1000.00")
    return program


def test_backup_restores_into_a_scratch_database_that_passes_the_checks(money_moved, tmp_path):
    out = StringIO()
    call_command("backup_drill", keep=str(tmp_path), stdout=out)
    text = out.getvalue()
    head = AuditChainHead.current()
    count = AuditEvent.objects.count()
    assert "2 awards checked: every balance agrees with its entries." in text
    assert f"OK: {count} audit events, every link holds" in text
    assert f"Head hash {head.hash}" in text
    assert "Backup drill passed" in text
    kept = list(tmp_path.iterdir())
    suffix = ".sqlite3" if connection.vendor == "sqlite" else ".dump"
    assert len(kept) == 1 and kept[0].suffix == suffix and kept[0].stat().st_size > 0
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_database WHERE datname LIKE '%%_drill_%%'")
            assert cursor.fetchone() == (0,)  # the scratch database is gone


@pytest.mark.skipif(connection.vendor != "sqlite", reason="PostgreSQL refuses the change")
def test_the_drill_fails_on_a_copy_whose_audit_trail_was_changed(money_moved):
    event = AuditEvent.objects.order_by("pk")[1]
    with connection.cursor() as cursor:
        cursor.execute("UPDATE grants_auditevent SET object_repr = 'x' WHERE id = %s", [event.pk])
    out = StringIO()
    with pytest.raises(CommandError, match="Backup drill failed: verify_audit on the copy."):
        call_command("backup_drill", stdout=out)
    assert f"Audit chain broken: event {event.pk} ({event.action}): hash expected" in (
        out.getvalue()
    )
