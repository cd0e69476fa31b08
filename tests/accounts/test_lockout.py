"""Lockout after repeated failed sign-ins (NIST SP 800-53 AC-7), its message, its
audit events and the administrator's unlock."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.models import User
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from accounts.lockout import locked_message
from grants.models import AuditEvent
from tests.accounts.helpers import WRONG, actions, events, sign_in, signed_in

LOCKED = (
    "Sign-in is locked after too many failed attempts for this username or from this "
    "address. Try again in 30 minutes, or ask your system administrator to unlock it."
)
WRONG_PASSWORD = "Please enter a correct username and password."


@pytest.fixture
def admin_user(db):
    return User.objects.create_superuser("root", "root@example.gov", "an-administrator-passphrase")


def test_settings_lock_after_five_failures_for_thirty_minutes(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME == timedelta(minutes=30)
    assert settings.AXES_LOCKOUT_PARAMETERS == ["username", "ip_address"]
    assert locked_message() == LOCKED


def test_thirty_wrong_passwords_then_the_right_one_is_refused(client, program):
    for attempt in range(1, 31):
        response = sign_in(client, "officer_a", WRONG)
        if attempt < 5:
            assert response.status_code == 200
            assert WRONG_PASSWORD in response.content.decode()
        else:
            assert response.status_code == 429, attempt
            assert LOCKED in response.content.decode()
    response = sign_in(client, "officer_a")
    assert response.status_code == 429
    assert LOCKED in response.content.decode()
    assert not signed_in(client)
    assert actions().count("accounts.login_failed") == 31
    assert actions().count("accounts.locked_out") == 1
    assert "accounts.login" not in actions()
    locked = events("accounts.locked_out")[0]
    assert locked.data == {"username": "officer_a", "address": "127.0.0.1", "failures": 5}
    first = events("accounts.login_failed")[0]
    assert first.actor is None
    assert first.data == {"username": "officer_a", "locked_out": False}
    # The password tried is never kept, anywhere in the trail.
    assert not [e for e in AuditEvent.objects.all() if WRONG in str(e.data)]


def test_an_administrator_unlocks_and_the_right_password_works(client, program, admin_user):
    for _ in range(6):
        sign_in(client, "officer_a", WRONG)
    assert sign_in(client, "officer_a").status_code == 429

    admin = client.__class__()
    admin.force_login(admin_user)
    page = admin.get(reverse("accounts:access_review")).content.decode()
    assert "Unlock" in page
    response = admin.post(reverse("accounts:unlock"), {"username": "officer_a"}, follow=True)
    assert "Sign-in is unlocked for username “officer_a”: 1 failed-attempt record(s) cleared." in (
        response.content.decode()
    )
    unlocked = events("accounts.unlocked")[0]
    assert unlocked.actor == admin_user
    assert unlocked.data == {"username": "officer_a", "address": "", "attempts_cleared": 1}

    response = sign_in(client, "officer_a")
    assert response.status_code == 302 and response["Location"] == reverse("home")
    assert signed_in(client)
    assert events("accounts.login")[-1].actor == program.officer_a


def test_only_a_system_administrator_unlocks(client, program):
    for _ in range(5):
        sign_in(client, "officer_a", WRONG)
    client.force_login(program.pm)
    assert client.post(reverse("accounts:unlock"), {"username": "officer_a"}).status_code == 403
    assert AccessAttempt.objects.filter(username="officer_a").exists()
    assert "accounts.unlocked" not in actions()


def test_unknown_usernames_lock_with_the_same_message(client, program):
    unknown = [sign_in(client, "no-such-person", WRONG) for _ in range(5)]
    known = [sign_in(client, "officer_a", WRONG, address="10.0.0.9") for _ in range(5)]
    assert [r.status_code for r in unknown] == [r.status_code for r in known] == [200] * 4 + [429]
    for response in (unknown[0], known[0]):
        assert WRONG_PASSWORD in response.content.decode()
    for response in (unknown[-1], known[-1]):
        assert LOCKED in response.content.decode()
    assert [e.data["username"] for e in events("accounts.locked_out")] == [
        "no-such-person",
        "officer_a",
    ]


def test_a_username_locks_from_any_address(client, program):
    for n in range(5):
        sign_in(client, "officer_a", WRONG, address=f"10.0.0.{n + 1}")
    response = sign_in(client, "officer_a", address="10.0.1.1")
    assert response.status_code == 429 and not signed_in(client)


def test_an_address_locks_on_any_username(client, program):
    for n in range(5):
        sign_in(client, f"guess{n}", WRONG, address="10.0.0.7")
    assert sign_in(client, "officer_a", address="10.0.0.7").status_code == 429
    assert sign_in(client, "officer_a", address="10.0.0.8").status_code == 302


def test_behind_a_proxy_the_address_is_the_one_the_proxy_saw(client, program, settings):
    # One trusted proxy: the entry it appended counts, whatever the client put before it;
    # the audit trail records the same address.
    settings.TRUSTED_PROXY_COUNT = 1
    for n in range(5):
        client.post(
            reverse("login"),
            {"username": f"guess{n}", "password": WRONG},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.9",
        )
    assert AccessAttempt.objects.filter(ip_address="203.0.113.9").count() == 5
    assert not AccessAttempt.objects.filter(ip_address__startswith="192.0.2.").exists()
    failed = AuditEvent.objects.filter(action="accounts.login_failed")
    assert set(failed.values_list("source_address", flat=True)) == {"203.0.113.9"}


def test_the_lock_ends_after_the_cool_off(client, program):
    for _ in range(5):
        sign_in(client, "officer_a", WRONG)
    assert sign_in(client, "officer_a").status_code == 429
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=31))
    assert sign_in(client, "officer_a").status_code == 302


def test_a_success_before_the_limit_starts_the_count_again(client, program):
    for _ in range(4):
        sign_in(client, "officer_a", WRONG)
    assert sign_in(client, "officer_a").status_code == 302
    client.post(reverse("logout"))
    for _ in range(4):
        assert sign_in(client, "officer_a", WRONG).status_code == 200


def test_the_unlock_command(client, program):
    for n in range(5):
        sign_in(client, f"guess{n}", WRONG, address="10.0.0.7")
    call_command("unlock_account", "--address", "10.0.0.7", stdout=open("/dev/null", "w"))
    assert sign_in(client, "officer_a", address="10.0.0.7").status_code == 302
    unlocked = events("accounts.unlocked")[0]
    assert unlocked.actor is None
    assert unlocked.data["address"] == "10.0.0.7" and unlocked.data["via"] == "unlock_account"


def test_sign_in_and_out_are_events(client, program):
    sign_in(client, "officer_a")
    client.post(reverse("logout"))
    assert [a for a in actions() if a.startswith("accounts.log")] == [
        "accounts.login",
        "accounts.logout",
    ]
    login, logout = events("accounts.login")[0], events("accounts.logout")[0]
    assert login.actor == logout.actor == program.officer_a
    assert logout.data == {"reason": "signed out"}


def test_the_admin_signs_in_through_the_same_page(client, program):
    response = client.get("/admin/", follow=True)
    assert response.redirect_chain[-1][0] == reverse("login") + "?next=%2Fadmin%2F"
    for _ in range(5):
        sign_in(client, "root", WRONG)
    assert sign_in(client, "root").status_code == 429
