"""The audit trail proves itself: every event links to the one before by SHA-256, and
`verify_audit` names the first link a plain SQL change broke (SQLite). On PostgreSQL the
same SQL is refused by the tables' triggers (grants.protected). Each event carries the
request id and the address it came from."""

import json
import re
from datetime import UTC, date
from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction
from django.urls import reverse
from django.utils import timezone

from budgets import ledger
from budgets.models import DrawdownRequest, LedgerEntry
from grants.audit import (
    AuditChainHead,
    AuditEvent,
    audit_chain_held,
    audit_record,
    audit_record_many,
    new_event,
    positional_fields,
)
from grants.audit_chain import FIELDS, link_hash
from grants.request_context import request_id_from, source_address
from reports.models import FinancialReport
from tests.budgets.ledger_helpers import activate, draw, second_approver

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="on PostgreSQL the triggers refuse the change"
)
postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the triggers exist on PostgreSQL only"
)


def record(program, action="grants.award.noted", **data) -> AuditEvent:
    return audit_record(
        actor=program.pm,
        action=action,
        obj=program.award_a,
        task_force=program.task_force_a,
        data=data,
    )


def verify() -> str:
    """What verify_audit concludes, after the lines of its progress."""
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue().split("\n", 2)[-1]


def refused(sql: str, params: list) -> str:
    with pytest.raises(DatabaseError) as error, transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
    return str(error.value)


def test_each_event_links_to_the_one_before(program):
    first = record(program, amount=Decimal("12.50"), day=date(2025, 1, 2))
    second = record(program, "grants.award.checked")
    stored = AuditEvent.objects.get(pk=first.pk)
    assert stored.data == {"amount": "12.50", "day": "2025-01-02"}
    assert second.prev_hash == first.hash == stored.hash
    assert first.hash == link_hash(first.prev_hash, stored.chain_content())
    content = json.loads(stored.chain_content())
    assert set(content) == set(FIELDS)
    assert content["content_type"] == "grants.award"
    assert content["object_id"] == str(program.award_a.pk)
    assert content["actor"] == program.pm.pk and content["action"] == "grants.award.noted"
    assert content["occurred_at"] == stored.occurred_at.astimezone(UTC).isoformat(
        timespec="microseconds"
    )
    head = AuditChainHead.objects.get()
    assert (head.hash, head.count) == (second.hash, AuditEvent.objects.count())


def test_verify_audit_prints_the_count_and_head(program):
    record(program)
    last = record(program)
    out = verify()
    assert out.startswith(f"OK: {AuditEvent.objects.count()} audit events, every link holds")
    assert out.rstrip().endswith(f"Head hash {last.hash}")


def test_many_events_link_in_order_under_one_lock(program):
    head_before = AuditChainHead.objects.get().hash
    audit_record_many(
        [
            {"actor": program.pm, "action": f"budgets.batch.line_{i}", "obj": program.award_a}
            for i in range(3)
        ]
    )
    stored = list(AuditEvent.objects.filter(action__startswith="budgets.batch.").order_by("pk"))
    assert [e.action for e in stored] == [f"budgets.batch.line_{i}" for i in range(3)]
    assert [e.prev_hash for e in stored] == [head_before, stored[0].hash, stored[1].hash]
    for event in stored:
        assert event.hash == link_hash(event.prev_hash, event.chain_content())
    assert AuditChainHead.objects.get().hash == stored[-1].hash
    assert verify().startswith("OK: ")


def test_a_held_chain_links_every_event_and_writes_the_head_once_at_the_end(program):
    head_before = AuditChainHead.objects.get()
    with audit_chain_held():
        first = record(program, step=1)
        # A refused call's event goes with its savepoint: the next links past it.
        with pytest.raises(RuntimeError), transaction.atomic():
            record(program, step=2)
            raise RuntimeError("refused")
        audit_record_many([{"actor": program.pm, "action": "budgets.batch.line"}])
        with audit_chain_held():  # a hold inside a hold changes nothing
            last = record(program, step=3)
        # The row is written when the hold ends, not before.
        assert AuditChainHead.objects.get().count == head_before.count
    held = list(AuditEvent.objects.filter(pk__gte=first.pk).order_by("pk"))
    assert [e.data.get("step") for e in held] == [1, None, 3]
    assert [e.prev_hash for e in held] == [head_before.hash, first.hash, held[1].hash]
    head = AuditChainHead.objects.get()
    assert (head.hash, head.count) == (last.hash, head_before.count + 3)
    assert verify().startswith(f"OK: {head.count} audit events, every link holds")


def test_a_held_chain_that_fails_records_nothing(program):
    head_before = AuditChainHead.objects.get()
    events = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), audit_chain_held():
        record(program)
        raise RuntimeError("the load failed")
    assert AuditEvent.objects.count() == events
    head = AuditChainHead.objects.get()
    assert (head.hash, head.count) == (head_before.hash, head_before.count)
    assert verify().startswith("OK: ")


@sqlite_only
def test_a_raw_sql_update_breaks_the_chain_and_verify_audit_names_the_event(program):
    before = record(program)
    changed = record(program, "budgets.drawdown.approved", amount="100.00")
    record(program)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE grants_auditevent SET data = %s WHERE id = %s",
            ['{"amount": "1000000.00"}', changed.pk],
        )
    expected = link_hash(before.hash, AuditEvent.objects.get(pk=changed.pk).chain_content())
    with pytest.raises(CommandError) as error:
        verify()
    assert str(error.value) == (
        f"Audit chain broken: event {changed.pk} (budgets.drawdown.approved): "
        f"hash expected {expected}, found {changed.hash}"
    )


@sqlite_only
def test_a_deleted_event_breaks_the_next_link(program):
    first = record(program)
    gone = record(program)
    after = record(program, "grants.award.after")
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grants_auditevent WHERE id = %s", [gone.pk])
    with pytest.raises(CommandError) as error:
        verify()
    assert str(error.value) == (
        f"Audit chain broken: event {after.pk} (grants.award.after): "
        f"prev_hash expected {first.hash}, found {gone.hash}"
    )


@sqlite_only
def test_a_removed_last_event_shows_at_the_head(program):
    kept = record(program)
    last = record(program)
    count = AuditEvent.objects.count()
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM grants_auditevent WHERE id = %s", [last.pk])
    with pytest.raises(CommandError) as error:
        verify()
    assert str(error.value) == (
        f"Audit chain broken: the chain head records {count} events ending in {last.hash}; "
        f"the trail holds {count - 1} ending in {kept.hash} (events removed from its end?)"
    )


def test_the_model_refuses_to_change_or_delete_an_event(program):
    event = record(program)
    with pytest.raises(ValueError, match="never changed"):
        event.save()
    with pytest.raises(ValueError, match="never deleted"):
        event.delete()


# --- PostgreSQL: the triggers ----------------------------------------------------------


@postgres_only
def test_postgres_refuses_raw_update_and_delete_of_audit_events(program):
    event = record(program)
    assert "Cannot update or delete rows from grants_auditevent" in refused(
        "UPDATE grants_auditevent SET object_repr = %s WHERE id = %s", ["tampered", event.pk]
    )
    assert "Cannot update or delete rows from grants_auditevent" in refused(
        "DELETE FROM grants_auditevent WHERE id = %s", [event.pk]
    )
    assert AuditEvent.objects.get(pk=event.pk).object_repr == event.object_repr
    assert verify().startswith("OK: ")


@postgres_only
def test_postgres_refuses_raw_update_and_delete_of_ledger_entries(program):
    activate(program)
    draw(program, "100.00")
    entry = LedgerEntry.objects.get(kind="drawdown")
    assert "Cannot update or delete rows from budgets_ledgerentry" in refused(
        "UPDATE budgets_ledgerentry SET amount = %s WHERE id = %s", ["1000.00", entry.pk]
    )
    assert "Cannot update or delete rows from budgets_ledgerentry" in refused(
        "DELETE FROM budgets_ledgerentry WHERE id = %s", [entry.pk]
    )
    assert LedgerEntry.objects.get(pk=entry.pk).amount == Decimal("100.00")


@postgres_only
def test_postgres_keeps_drawdown_decisions_final(program):
    activate(program)
    paid = draw(program, "100.00")
    assert paid.status == "paid"
    for sql, params in [
        ("UPDATE budgets_drawdownrequest SET status = 'requested' WHERE id = %s", [paid.pk]),
        ("UPDATE budgets_drawdownrequest SET amount = 5 WHERE id = %s", [paid.pk]),
        ("UPDATE budgets_drawdownrequest SET decided_by_id = NULL WHERE id = %s", [paid.pk]),
    ]:
        assert "Cannot update rows from budgets_drawdownrequest" in refused(sql, params)
    assert "Cannot delete rows from budgets_drawdownrequest" in refused(
        "DELETE FROM budgets_drawdownrequest WHERE id = %s", [paid.pk]
    )
    # A request nobody has decided on yet may still change (its decision is written).
    waiting = draw(program, "50.00", paid=False)
    if waiting.status == "requested":
        with connection.cursor() as cursor:
            cursor.execute(
                "UPDATE budgets_drawdownrequest SET memo = 'x' WHERE id = %s", [waiting.pk]
            )
    assert DrawdownRequest.objects.get(pk=paid.pk).status == "paid"
    # A rejected request stays rejected; an approved one goes to paid or rejected only.
    rejected = draw(program, "60.00", paid=False)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE budgets_drawdownrequest SET status = 'rejected' WHERE id = %s", [rejected.pk]
        )
    for status in ("requested", "approved"):
        assert "Cannot update rows from budgets_drawdownrequest" in refused(
            "UPDATE budgets_drawdownrequest SET status = %s WHERE id = %s", [status, rejected.pk]
        )
    # Rejecting an approved request writes the decision only, never what was asked.
    approved = draw(program, "70.00", paid=False)
    if approved.status == "requested":
        approved = ledger.drawdown_approve(
            actor=second_approver(), request=approved, today=date(2025, 1, 10)
        )
    assert "Cannot update rows from budgets_drawdownrequest" in refused(
        "UPDATE budgets_drawdownrequest SET status = 'rejected', amount = 1 WHERE id = %s",
        [approved.pk],
    )


@postgres_only
def test_postgres_keeps_certified_sf425_lines_fixed(program):
    report = FinancialReport.objects.create(
        award=program.award_a,
        period_end=date(2024, 12, 31),
        status="submitted",
        submitted_by=program.officer_a,
        submitted_at=timezone.now(),
        lines={"10a": "100.00"},
        certifier_name="Ann Officer",
        certifier_title="Finance officer",
        certifier_phone="555-0100",
        certifier_email="ann@example.gov",
    )
    lines = 'UPDATE reports_financialreport SET lines = \'{"10a": "1.00"}\' WHERE id = %s'
    assert "Cannot update rows from reports_financialreport" in refused(lines, [report.pk])
    assert "Cannot delete rows from reports_financialreport" in refused(
        "DELETE FROM reports_financialreport WHERE id = %s", [report.pk]
    )
    with connection.cursor() as cursor:
        # The review is no change to what was certified; a returned report is filed anew.
        cursor.execute(
            "UPDATE reports_financialreport SET status = 'returned' WHERE id = %s", [report.pk]
        )
        cursor.execute(lines, [report.pk])
        cursor.execute(
            "UPDATE reports_financialreport SET status = 'accepted' WHERE id = %s", [report.pk]
        )
    assert "Cannot update rows from reports_financialreport" in refused(
        "UPDATE reports_financialreport SET review_comment = 'later' WHERE id = %s", [report.pk]
    )
    assert FinancialReport.objects.get(pk=report.pk).lines == {"10a": "1.00"}


# --- Request id and source address -----------------------------------------------------


def test_request_id_is_the_callers_when_plain_else_new():
    assert request_id_from("req-2025-01-02-abcdef") == "req-2025-01-02-abcdef"
    for bad in (None, "", "short", "has space inside", "x" * 65, "line\nbreak-123456"):
        assert re.fullmatch(r"[0-9a-f-]{36}", request_id_from(bad)), bad


def test_source_address_trusts_only_the_configured_proxies():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.9"}
    assert source_address(meta, 0) == "10.0.0.2"
    # One proxy: the entry it appended; the client's own "6.6.6.6" proves nothing.
    assert source_address(meta, 1) == "203.0.113.9"
    assert source_address(meta, 2) == "6.6.6.6"
    assert source_address(meta, 3) == "10.0.0.2"
    assert source_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "junk"}, 1) == (
        "10.0.0.2"
    )


def test_pages_echo_the_request_id(client, program):
    client.force_login(program.auditor)
    response = client.get(reverse("home"), HTTP_X_REQUEST_ID="trace-0001-abcd")
    assert response["X-Request-ID"] == "trace-0001-abcd"
    api = client.get("/api/v1/", HTTP_X_REQUEST_ID="bad id")
    assert re.fullmatch(r"[0-9a-f-]{36}", api["X-Request-ID"])


def test_audit_events_carry_the_request_id_and_source_address(client, program, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    client.force_login(program.auditor)
    response = client.post(
        reverse("exports:prepare_download"),
        {"kind": "workbook"},
        HTTP_X_REQUEST_ID="trace-0002-abcd",
        HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.9",
    )
    assert response.status_code == 302
    event = AuditEvent.objects.latest("pk")
    assert event.action == "reports.export.requested"
    assert (event.request_id, event.source_address) == ("trace-0002-abcd", "203.0.113.9")
    assert verify().startswith("OK: ")
    # Outside a request (a command, a test calling a service) both stay blank.
    plain = record(program)
    assert (plain.request_id, plain.source_address) == ("", None)


def test_the_dashboard_shows_the_chain_head(client, program):
    record(program)
    client.force_login(program.auditor)  # signing in is an event too
    page = client.get(reverse("home")).content.decode()
    head = AuditChainHead.current()
    assert head.hash == AuditEvent.objects.latest("pk").hash
    assert f"Audit trail: {head.count} events, chain head <code>{head.hash}</code>" in page


def test_events_are_built_by_position_over_every_concrete_field_with_defaults_filled():
    # new_event builds events by position (the quickest way in): the list must name every
    # concrete field in the constructor's order, and a field it is not given a value for
    # must get its default, never None.
    fields = AuditEvent._meta.concrete_fields
    positional = positional_fields()
    assert [name for name, _, _ in positional] == [field.attname for field in fields]
    for (_, default, calls), field in zip(positional, fields, strict=True):
        # A callable default (timezone.now, dict) is called for each event.
        assert default is field.default if calls else default == field.get_default(), field.name
    event = new_event(actor=None, action="grants.award.noted")
    by_name = AuditEvent(action="grants.award.noted")
    for field in fields:
        if field.name not in ("occurred_at", "request_id", "source_address"):
            assert getattr(event, field.attname) == getattr(by_name, field.attname), field.name
