"""Rows the database itself refuses to change: PostgreSQL triggers (django-pgtrigger) on
the records that are evidence (ledger entries, audit events, certified SF-425s, drawdown
decisions), so a mistaken script or a stolen database password cannot rewrite them with
plain SQL. SQLite has no such triggers here: the models' own guards and the audit chain
(`verify_audit`) stand alone there. docs/security.md#protected-tables says what each
trigger refuses.

A test that corrupts a row on purpose says so: `with pgtrigger.ignore("app.Model:name")`.
"""

from functools import reduce
from operator import or_

import pgtrigger


def append_only(name: str) -> pgtrigger.Protect:
    """Refuse every UPDATE and DELETE of the table's rows."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update | pgtrigger.Delete)


def never_deleted(name: str) -> pgtrigger.Protect:
    return pgtrigger.Protect(name=name, operation=pgtrigger.Delete)


def changed(*fields: str) -> pgtrigger.Q:
    """Any of `fields` differs between the old and the new row (NULL-safe)."""
    return reduce(or_, (pgtrigger.Q(**{f"old__{f}__df": pgtrigger.F(f"new__{f}")}) for f in fields))


def refuse_update(name: str, condition: pgtrigger.Condition) -> pgtrigger.Protect:
    """Refuse an UPDATE for which `condition` (over OLD and NEW) holds."""
    return pgtrigger.Protect(name=name, operation=pgtrigger.Update, condition=condition)
