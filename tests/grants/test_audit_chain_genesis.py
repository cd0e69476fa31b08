"""The audit trail of a new database: in a module of its own, since the records of a
module whose tests take `program` would be in the trail (tests/conftest.py)."""

from grants.audit import AuditChainHead, AuditEvent
from grants.audit_chain import GENESIS
from tests.grants.test_audit_chain import verify


def test_an_empty_trail_starts_from_genesis(db):
    assert AuditEvent.objects.count() == 0
    assert AuditChainHead.current().hash == GENESIS
    assert verify().startswith("OK: 0 audit events")
