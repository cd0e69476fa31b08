"""Personas, as in the style guide: two task forces (A and B), each with a finance
officer; the program office (program manager, financial approver); an auditor."""

import copy
import fcntl
import os
from contextlib import ExitStack
from dataclasses import dataclass

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, override_settings
from hypothesis import HealthCheck, settings

from grants import access
from grants.models import Appropriation, Award, Membership, TaskForce
from tests import factories
from tests.second_factor import verify_session

# Property and state-machine tests: a quick profile on a developer's machine, the full
# one in CI (CI=true); HYPOTHESIS_PROFILE picks either by name. Tests scale their example
# counts from the profile's, so one switch governs them all.
_COMMON = dict(
    deadline=None,
    database=None,  # no .hypothesis/ folder in the work tree
    suppress_health_check=[HealthCheck.too_slow],
)
settings.register_profile("full", max_examples=25, stateful_step_count=25, **_COMMON)
settings.register_profile("quick", max_examples=5, stateful_step_count=15, **_COMMON)
settings.load_profile(
    os.environ.get("HYPOTHESIS_PROFILE") or ("full" if os.environ.get("CI") == "true" else "quick")
)


@dataclass
class Program:
    pm: User
    approver: User
    auditor: User
    officer_a: User
    officer_b: User
    gadmin_a: User
    task_force_a: TaskForce
    task_force_b: TaskForce
    appropriation: Appropriation
    award_a: Award
    award_b: Award


def _transactional(item) -> bool:
    marker = item.get_closest_marker("django_db")
    return bool(marker and marker.kwargs.get("transaction")) or any(
        name in item.fixturenames for name in ("transactional_db", "live_server")
    )


def _django_order(item) -> int:
    """Where pytest-django puts the test: tests inside a transaction (0), then
    transactional tests (1), then tests without a database (2)."""
    if _transactional(item):
        return 1
    if item.get_closest_marker("django_db") or "db" in item.fixturenames:
        return 0
    return 2


def pytest_collection_modifyitems(items):
    """A transactional test flushes the database when it ends, taking the roles and rule
    values the migrations seeded with it; with serialized_rollback they are put back. One
    test without it breaks every transactional test after it, so none may leave it out.

    A transactional test commits what it makes, so it cannot share the module's records
    (`program`, made inside a transaction rolled back after the module): it takes
    `committed_program` (`live_program` in the browser tests), or its module overrides
    `program` with it.

    The module's records stay in the database until its last test has run, so in a
    module where any test takes `program`, every other test of the database sees them
    too, whichever test its process happened to run first. A test that needs a database
    without them belongs in a module whose tests do not take `program`."""
    sharing = {item.module for item in items if "program_of_the_module" in item.fixturenames}
    for item in items:
        marker = item.get_closest_marker("django_db")
        if (
            marker
            and marker.kwargs.get("transaction")
            and not marker.kwargs.get("serialized_rollback")
        ):
            raise pytest.UsageError(
                f"{item.nodeid}: django_db(transaction=True) needs serialized_rollback=True"
            )
        fixtures = item.fixturenames
        if _transactional(item) and "program_of_the_module" in fixtures:
            raise pytest.UsageError(
                f"{item.nodeid}: a transactional test takes committed_program, not program"
            )
        uses_database = marker is not None or "_django_db_helper" in fixtures
        if (
            item.module in sharing
            and uses_database
            and not _transactional(item)
            and "program_of_the_module" not in fixtures
        ):
            # First, so that the records' transaction opens before the test's own.
            fixtures.insert(0, "program_of_the_module")
    # A slow test dealt to a process late ends the run there while the other process sits
    # idle: each starts first among the tests of its order, which stays pytest-django's.
    items.sort(key=lambda item: (_django_order(item), item.get_closest_marker("slow") is None))


@pytest.fixture(scope="session")
def media_root(tmp_path_factory):
    return tmp_path_factory.mktemp("media")


@pytest.fixture(autouse=True)
def files_in_a_temporary_storage(settings, media_root):
    """Attached documents go to a temporary folder, never the work tree's media/."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(media_root)},
        },
    }


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """PBKDF2 is slow by design; tests that are not about passwords need not pay for it."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def session_renewed_only_where_asked(settings):
    """A signed-in request renews the session's idle limit when the last renewal is a
    minute old (accounts.middleware): whether it does depends on the clock, so a test
    counting a page's queries would count the renewal or not by how long it ran. Tests
    of the renewal set SESSION_RENEW_SECONDS themselves."""
    settings.SESSION_RENEW_SECONDS = 10**12


@pytest.fixture(autouse=True)
def second_factor_for_force_login(monkeypatch):
    """`client.force_login(user)` also passes the second factor (tests/second_factor.py);
    `client.force_login(user, second_factor=False)` stops after the password."""
    password_only = Client.force_login

    def force_login(self, user, backend=None, *, second_factor=True):
        password_only(self, user, backend)
        if second_factor:
            verify_session(self.session, user)

    monkeypatch.setattr(Client, "force_login", force_login)


@pytest.fixture
def pin_today(monkeypatch):
    """Pins the app's clock to a day, for pages whose rules depend on the date:
    `pin_today(date(2025, 6, 2))`. Services take `today=` directly instead."""

    def pin(day):
        monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: day)

    return pin


class _ModuleRecords:
    """The transaction that holds a module's records, open from the module's first test
    that needs them until its last, or until a transactional test starts: pytest keeps
    a module's fixtures until the next test is of another module, and pytest-django
    runs the transactional tests after all the others, so the next may be a
    transactional test of the same module."""

    current: "_ModuleRecords | None" = None

    def __init__(self, django_db_blocker):
        outer = transaction.atomic()
        # Like a test's own transaction, so that a service's durable transaction may
        # open inside it (django.test.TestCase marks its class-wide ones the same way).
        outer._from_testcase = True
        self._stack = ExitStack()
        self._stack.enter_context(django_db_blocker.unblock())
        self._stack.enter_context(outer)
        _ModuleRecords.current = self

    def close(self):
        if _ModuleRecords.current is self:
            _ModuleRecords.current = None
            transaction.set_rollback(True)
            self._stack.close()


@pytest.fixture(scope="module")
def program_of_the_module(django_db_setup, django_db_blocker) -> Program:
    """The personas and awards, made once for each test module rather than once for each
    of its tests (about 90 queries each time): inside a transaction left open while the
    module's tests run and rolled back after them. Each test's own transaction is a
    savepoint inside it, so what a test makes or changes is gone before the next starts."""
    records = _ModuleRecords(django_db_blocker)
    try:
        # Made before any test's own fixtures run, so with the same fast hasher they set.
        with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
            program = make_program()
        yield program
    finally:
        records.close()


@pytest.hookimpl(tryfirst=True)
def pytest_runtest_setup(item):
    """A transactional test commits and flushes: no module's records may be open under it."""
    if _ModuleRecords.current is not None and _transactional(item):
        _ModuleRecords.current.close()


@pytest.fixture
def program(program_of_the_module, db) -> Program:
    """The module's records; a copy of their objects for each test, so that a change a
    test makes to one in memory (a user's last sign-in, an award's status) stays in it."""
    if _ModuleRecords.current is None:
        pytest.fail("the module's records were rolled back before this test (tests/conftest.py)")
    return copy.deepcopy(program_of_the_module)


# How many connections a race test may hold at once: PostgreSQL allows 100 by default,
# and the other test process, its live servers and its worker need some of them.
RACE_CONNECTIONS = 60


@pytest.fixture
def many_connections(tmp_path_factory):
    """For a test that opens tens of database connections at once (a race): one such
    test at a time across the test processes, each holding at most RACE_CONNECTIONS, so
    that no other test is refused a connection while it runs."""
    shared = tmp_path_factory.getbasetemp().parent  # the same folder for every process
    with open(shared / "many-connections.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        yield RACE_CONNECTIONS


@pytest.fixture
def committed_program(transactional_db) -> Program:
    """The same records, committed, for a transactional test (other threads and
    connections see them); the test's flush removes them."""
    return make_program()


def make_program() -> Program:
    """The personas and their awards, in the database (the `program` fixture's records)."""
    task_force_a = factories.make_task_force("Alpha ICAC Task Force", "va-alpha", "VA")
    task_force_b = factories.make_task_force("Bravo ICAC Task Force", "md-bravo", "MD")
    pm = factories.make_user("pm", groups=[access.PROGRAM_MANAGER])
    appropriation = factories.make_appropriation(pm)
    return Program(
        pm=pm,
        approver=factories.make_user("approver", groups=[access.FINANCIAL_APPROVER]),
        auditor=factories.make_user("auditor", groups=[access.AUDITOR]),
        officer_a=factories.make_user(
            "officer_a", memberships=[(task_force_a, Membership.Role.FINANCE_OFFICER)]
        ),
        officer_b=factories.make_user(
            "officer_b", memberships=[(task_force_b, Membership.Role.FINANCE_OFFICER)]
        ),
        gadmin_a=factories.make_user(
            "gadmin_a", memberships=[(task_force_a, Membership.Role.GRANT_ADMINISTRATOR)]
        ),
        task_force_a=task_force_a,
        task_force_b=task_force_b,
        appropriation=appropriation,
        award_a=factories.make_award(
            pm,
            task_force=task_force_a,
            appropriation=appropriation,
            number="15PJDP-25-GK-00001-MECP",
        ),
        award_b=factories.make_award(
            pm,
            task_force=task_force_b,
            appropriation=appropriation,
            number="15PJDP-25-GK-00002-MECP",
        ),
    )


@pytest.fixture
def memory_storage(settings):
    """The default storage in memory, for files the app stores (prepared downloads): no
    test writes to the disk, and nothing reads a file by its path."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
