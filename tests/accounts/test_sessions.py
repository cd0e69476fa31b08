"""Session termination (NIST SP 800-53 AC-12): 15 minutes idle, 12 hours at most after
signing in, and "Sign out everywhere"."""

from datetime import datetime, timedelta

from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts.models import AccountSecurity
from config import settings as config_settings
from tests.accounts.helpers import events, sign_in, signed_in

LIMIT_MESSAGE = (
    "You were signed out: a session lasts at most 12 hours after signing in. "
    "Sign in again to continue."
)


def test_the_limits(settings):
    assert settings.SESSION_COOKIE_AGE == 15 * 60
    assert config_settings.SESSION_RENEW_SECONDS == 60  # tests/conftest.py sets it aside
    assert settings.SESSION_ABSOLUTE_SECONDS == 12 * 60 * 60


def _expires(client) -> datetime:
    return Session.objects.get(session_key=client.session.session_key).expire_date


def _session_writes(queries) -> list[str]:
    table = Session._meta.db_table
    return [q["sql"] for q in queries if table in q["sql"] and not q["sql"].startswith("SELECT")]


def test_the_idle_limit_is_renewed_once_a_minute_and_never_outlasts_the_last_request(
    client, program, settings
):
    settings.SESSION_RENEW_SECONDS = config_settings.SESSION_RENEW_SECONDS
    sign_in(client, "officer_a")
    client.get(reverse("home"))
    renewed = _expires(client)
    assert timedelta(minutes=14) < renewed - timezone.now() <= timedelta(minutes=15)
    # Pages read within the minute write no session: the limit stays where it was.
    for _ in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("home")).status_code == 200
        assert _session_writes(queries) == []
    assert _expires(client) == renewed
    # A minute after the last renewal, the next request renews it 15 minutes on.
    session = client.session
    session["renewed_at"] -= 60
    session.save()
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() + timedelta(minutes=14)
    )
    before = timezone.now()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("home"))
    assert len(_session_writes(queries)) == 1
    assert (
        before + timedelta(minutes=15) <= _expires(client) <= timezone.now() + timedelta(minutes=15)
    )
    assert response.cookies[settings.SESSION_COOKIE_NAME]["max-age"] == 15 * 60
    # Past its limit the session is gone, however recently it was renewed.
    Session.objects.filter(session_key=session.session_key).update(
        expire_date=timezone.now() - timedelta(seconds=1)
    )
    assert client.get(reverse("home"))["Location"].startswith(reverse("login"))


def _age_session(client, seconds: int) -> None:
    session = client.session
    session["signed_in_at"] = timezone.now().timestamp() - seconds
    session.save()


def test_an_active_session_ends_twelve_hours_after_signing_in(client, program):
    sign_in(client, "officer_a")
    _age_session(client, 12 * 60 * 60 - 60)
    assert client.get(reverse("home")).status_code == 200
    _age_session(client, 12 * 60 * 60 + 1)
    response = client.get(reverse("home"), follow=True)
    assert response.redirect_chain[0][0] == reverse("login") + "?next=/"
    assert LIMIT_MESSAGE in response.content.decode()
    assert not signed_in(client)
    ended = events("accounts.logout")[0]
    assert ended.actor == program.officer_a and ended.data == {"reason": "session limit"}


def test_sign_out_everywhere_ends_every_session(client, program):
    laptop, phone = client, client.__class__()
    sign_in(laptop, "officer_a")
    sign_in(phone, "officer_a")
    assert "Sign out everywhere" in laptop.get(reverse("accounts:account")).content.decode()

    response = laptop.post(reverse("accounts:sign_out_everywhere"), follow=True)
    assert "You are signed out everywhere: every session of your account has ended." in (
        response.content.decode()
    )
    assert not signed_in(laptop)
    response = phone.get(reverse("budgets:drawdown_queue"), follow=True)
    assert response.redirect_chain[0][0].startswith(reverse("login"))
    assert "You were signed out everywhere. Sign in again to continue." in (
        response.content.decode()
    )
    event = events("accounts.signed_out_everywhere")[0]
    assert event.actor == program.officer_a and event.data == {"session_epoch": 1}
    assert [e.data["reason"] for e in events("accounts.logout")] == [
        "signed out everywhere",
        "signed out everywhere",
    ]
    # Signing in again starts a session under the new epoch.
    sign_in(phone, "officer_a")
    assert phone.get(reverse("home")).status_code == 200


def test_other_people_stay_signed_in(client, program):
    other = client.__class__()
    sign_in(client, "officer_a")
    sign_in(other, "officer_b")
    client.post(reverse("accounts:sign_out_everywhere"))
    assert other.get(reverse("home")).status_code == 200


def _security_reads(queries) -> list[str]:
    table = AccountSecurity._meta.db_table
    return [q["sql"] for q in queries if table in q["sql"]]


def test_a_signed_in_request_reads_the_epoch_with_the_person(client, program):
    """The "sign out everywhere" epoch costs no query of its own: it comes in the query
    that loads the signed-in person (accounts.backends.AccountBackend)."""
    client.force_login(program.officer_a)
    client.post(reverse("accounts:sign_out_everywhere"))  # the person has an epoch row now
    client.force_login(program.officer_a)
    for _ in range(2):
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("accounts:account")).status_code == 200
        [read] = _security_reads(queries)
        user_table = connection.ops.quote_name("auth_user")
        assert read.startswith("SELECT") and f"FROM {user_table}" in read and "JOIN" in read
    # The other session of the person still ends at its next request.
    other = client.__class__()
    other.force_login(program.officer_a)
    client.post(reverse("accounts:sign_out_everywhere"))
    assert other.get(reverse("home"))["Location"].startswith(reverse("login"))
