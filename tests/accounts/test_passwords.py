"""Passwords per NIST SP 800-63B (IA-5(1)): the validators, Argon2 hashing with PBKDF2
hashes upgraded at sign-in, password change and reset by email."""

import re

import pytest
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.accounts.helpers import events, sign_in, signed_in
from tests.factories import PASSWORD

REAL_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
NEW = "plum orchard under winter light"


def refusals(password: str, user=None) -> list[str]:
    try:
        validate_password(password, user)
    except ValidationError as error:
        return error.messages
    return []


@pytest.mark.parametrize(
    "password, message",
    [
        ("123456789012", "This password is a repeated or sequential run of characters"),
        ("aaaaaaaaaaaa", "This password is a repeated or sequential run of characters"),
        ("abcabcabcabc", "This password is a repeated or sequential run of characters"),
        ("zyxwvutsrqpo", "This password is a repeated or sequential run of characters"),
        ("my icac passphrase here", "This password contains “icac”"),
        ("OJJDP money every spring", "This password contains “ojjdp”"),
        ("federal Grants all year long", "This password contains “grants”"),
        ("short pass", "This password is too short. It must contain at least 12 characters."),
        ("x" * 200 + " and then some more " + "y" * 40, "This password is too long: at most 256"),
    ],
)
def test_weak_passwords_are_refused_with_the_reason(db, password, message):
    assert any(m.startswith(message) for m in refusals(password)), refusals(password)


def test_the_username_is_refused(db):
    user = User(username="jmarsh", email="j@example.gov")
    assert "This password contains your username." in refusals("xx-JMarsh-on-the-weekend", user)


@pytest.mark.parametrize(
    "password",
    [
        NEW,
        "all lowercase words make a fine passphrase",  # no composition rules
        "w" + "ord " * 63 + "end",  # 256 characters
        "159357258046",
    ],
)
def test_passphrases_are_accepted(db, password):
    assert len(password) <= 256
    assert refusals(password) == []


def test_new_passwords_are_hashed_with_argon2_and_old_ones_upgraded(client, program, settings):
    settings.PASSWORD_HASHERS = REAL_HASHERS
    user = program.officer_a
    user.password = make_password(PASSWORD, hasher="pbkdf2_sha256")
    user.save(update_fields=["password"])
    assert sign_in(client, "officer_a").status_code == 302
    user.refresh_from_db()
    assert user.password.startswith("argon2$argon2id$")
    assert user.check_password(PASSWORD)


def test_password_change_ends_the_other_sessions(client, program):
    other = client.__class__()
    sign_in(client, "officer_a")
    sign_in(other, "officer_a")
    response = client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": NEW, "new_password2": NEW},
    )
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:password_change_done")
    assert client.get(reverse("accounts:account")).status_code == 200
    assert other.get(reverse("accounts:account")).status_code == 302
    assert events("accounts.password_changed")[0].actor == program.officer_a
    program.officer_a.refresh_from_db()
    assert program.officer_a.check_password(NEW)


def test_a_weak_new_password_changes_nothing(client, program):
    sign_in(client, "officer_a")
    response = client.post(
        reverse("accounts:password_change"),
        {
            "old_password": PASSWORD,
            "new_password1": "123456789012",
            "new_password2": "123456789012",
        },
    )
    assert response.status_code == 200
    assert "This password is a repeated or sequential run of characters" in (
        response.content.decode()
    )
    program.officer_a.refresh_from_db()
    assert program.officer_a.check_password(PASSWORD)
    assert events("accounts.password_changed") == []


def _reset_link() -> str:
    return re.search(r"https?://[^/]+(/accounts/password-reset/\S+/)", mail.outbox[0].body)[1]


def test_reset_by_email_works_once(client, program, settings):
    known = client.post(reverse("accounts:password_reset"), {"email": "officer_a@example.gov"})
    unknown = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.gov"})
    # The same answer, so the page never tells whether an address has an account.
    assert known.status_code == unknown.status_code == 302
    assert known["Location"] == unknown["Location"] == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["officer_a@example.gov"]
    assert "open this link within an hour. It works once" in mail.outbox[0].body
    assert settings.PASSWORD_RESET_TIMEOUT == 3600

    link = _reset_link()
    form = client.get(link, follow=True)
    assert "Choose a new password" in form.content.decode()
    done = client.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert done["Location"] == reverse("accounts:password_reset_complete")
    assert sign_in(client.__class__(), "officer_a", NEW).status_code == 302

    again = client.get(link, follow=True)
    assert "This link no longer works" in again.content.decode()
    assert [e.data["email"] for e in events("accounts.password_reset_requested")] == [
        "officer_a@example.gov",
        "nobody@example.gov",
    ]
    assert [e.object_repr for e in events("accounts.password_reset")] == ["officer_a"]


def test_an_expired_reset_link_is_refused(client, program, settings):
    client.post(reverse("accounts:password_reset"), {"email": "officer_a@example.gov"})
    settings.PASSWORD_RESET_TIMEOUT = -1
    page = client.get(_reset_link(), follow=True).content.decode()
    assert "This link no longer works" in page


def test_a_reset_ends_every_session(client, program):
    sign_in(client, "officer_a")
    reset = client.__class__()
    reset.post(reverse("accounts:password_reset"), {"email": "officer_a@example.gov"})
    form = reset.get(_reset_link(), follow=True)
    reset.post(form.redirect_chain[-1][0], {"new_password1": NEW, "new_password2": NEW})
    assert client.get(reverse("accounts:account")).status_code == 302
    assert not signed_in(client)
