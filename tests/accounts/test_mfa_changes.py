"""Second factors that change: staff holding a passkey verify with it (or a recovery
code), never an app's code; a factor added is audited and emailed to the account; a
factor renamed is audited; an administrator's reset removes them all and ends the
person's sessions (NIST SP 800-53 IA-2(1), IA-2(2), IA-5, AU-2)."""

from io import StringIO
from types import SimpleNamespace

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts import mfa_changes
from grants.audit import AuditEvent
from tests.accounts.helpers import signed_in
from tests.accounts.test_mfa import VERIFY, code_now, password_sign_in
from tests.second_factor import factor_for

pytestmark = pytest.mark.django_db


def recovery_code(user, code="abcdefghjk"):
    device = StaticDevice.objects.create(user=user, name="Recovery codes", confirmed=True)
    StaticToken.objects.create(device=device, token=code)
    return code


def test_staff_with_a_passkey_cannot_verify_with_an_app_code(client, program):
    approver = program.approver
    factor_for(approver)  # a passkey
    app = TOTPDevice.objects.create(user=approver, name="Old phone", confirmed=True)
    code = recovery_code(approver)
    password_sign_in(client, approver)

    response = client.post(VERIFY, {"code": code_now(app)})
    assert response.status_code == 200
    assert "an authenticator app&#x27;s code is not accepted" in response.content.decode()
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    assert client.get(reverse("mfa:enrol_passkey"))["Location"].startswith(VERIFY)
    failed = AuditEvent.objects.get(action="mfa.verification_failed")
    assert failed.actor == approver
    assert failed.data == {
        "factor": "authenticator app",
        "reason": "refused: the person has a passkey",
    }
    # A recovery code (the passkey is lost) opens passkey enrolment, and nothing else.
    response = client.post(VERIFY, {"code": code})
    assert response["Location"] == reverse("mfa:enrol_passkey")
    assert client.get(reverse("home"))["Location"] == reverse("mfa:enrol_passkey")


def test_task_force_staff_with_a_passkey_may_still_use_their_app(client, program):
    officer = program.officer_a
    app = factor_for(officer)
    WebAuthnCredential.objects.create(
        user=officer, name="Laptop", confirmed=True, credential_id=b"x", public_key=b"y"
    )
    password_sign_in(client, officer)
    assert client.post(VERIFY, {"code": code_now(app)})["Location"] == reverse("home")


def test_adding_an_app_is_audited_and_emailed(client, program):
    officer = program.officer_a
    client.force_login(officer)
    client.get(reverse("mfa:enrol_totp"))
    key = client.session["mfa_totp_key"]
    code = code_now(TOTPDevice(key=key))
    response = client.post(
        reverse("mfa:enrol_totp"), {"code": code, "name": "New phone"}, REMOTE_ADDR="198.51.100.4"
    )
    assert response.status_code == 302
    event = AuditEvent.objects.get(action="mfa.enrolled")
    assert event.actor == officer
    assert event.data == {"factor": "authenticator app", "name": "New phone"}
    [message] = mail.outbox
    assert message.to == ["officer_a@example.gov"]
    assert message.subject == "An authenticator app was added to your ICAC Grants account"
    assert "“New phone” was added" in message.body
    assert "from the address 198.51.100.4" in message.body
    assert "If this was not you, tell your system administrator now" in message.body


def test_adding_a_passkey_is_audited_and_emailed(program):
    """The browser's ceremony is tests/e2e/test_second_factors.py; what follows it here."""
    pm = program.pm
    passkey = WebAuthnCredential.objects.create(
        user=pm, name="Office key", confirmed=True, credential_id=b"k", public_key=b"p"
    )
    mfa_changes.enrolled(SimpleNamespace(user=pm), passkey)
    event = AuditEvent.objects.get(action="mfa.enrolled")
    assert event.actor == pm and event.data == {"factor": "passkey", "name": "Office key"}
    [message] = mail.outbox
    assert message.to == ["pm@example.gov"]
    assert message.subject == "A passkey was added to your ICAC Grants account"


def test_a_passkey_is_renamed_and_audited(client, program):
    pm = program.pm
    client.force_login(pm)
    passkey = factor_for(pm)
    url = reverse("mfa:rename", args=["passkey", passkey.pk])
    page = client.get(reverse("mfa:manage")).content.decode()
    assert f'action="{url}"' in page
    response = client.post(url, {"name": "  Office   YubiKey "}, follow=True)
    assert "Renamed “Test passkey” to “Office YubiKey”." in response.content.decode()
    passkey.refresh_from_db()
    assert passkey.name == "Office YubiKey"
    event = AuditEvent.objects.get(action="mfa.renamed")
    assert event.actor == pm
    assert event.data == {"factor": "passkey", "before": "Test passkey", "after": "Office YubiKey"}
    # A blank name changes nothing and says why; another person's passkey is not found.
    response = client.post(url, {"name": "  "}, follow=True)
    assert "Give the factor a name" in response.content.decode()
    passkey.refresh_from_db()
    assert passkey.name == "Office YubiKey"
    other = factor_for(program.approver)
    assert (
        client.post(reverse("mfa:rename", args=["passkey", other.pk]), {"name": "x"}).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="mfa.renamed").count() == 1


def test_the_reset_command_removes_every_factor_and_ends_the_sessions(client, program):
    approver = program.approver
    client.force_login(approver)
    TOTPDevice.objects.create(user=approver, name="Old phone", confirmed=True)
    recovery_code(approver)
    assert client.get(reverse("home")).status_code == 200

    out = StringIO()
    call_command("reset_second_factors", "approver", stdout=out)
    assert out.getvalue() == (
        "Reset the second factors of approver (removed 1 passkeys, 1 authenticator apps, "
        "1 recovery code sets); their sessions have ended.\n"
    )
    assert not WebAuthnCredential.objects.filter(user=approver).exists()
    assert not TOTPDevice.objects.filter(user=approver).exists()
    assert not StaticDevice.objects.filter(user=approver).exists()
    event = AuditEvent.objects.get(action="mfa.reset")
    assert event.actor is None and event.object_id == str(approver.pk)
    assert event.data == {
        "username": "approver",
        "removed": {"passkeys": 1, "authenticator apps": 1, "recovery code sets": 1},
        "via": "reset_second_factors",
    }
    [message] = mail.outbox
    assert message.to == ["approver@example.gov"]
    assert message.subject == "Your ICAC Grants second factors were reset"
    # The session that had the removed passkey is over: it cannot enrol a new one.
    assert client.get(reverse("mfa:enrol_passkey"))["Location"].startswith(reverse("login"))
    assert not signed_in(client)


def test_only_a_system_administrator_resets_factors(program):
    factor_for(program.approver)
    with pytest.raises(PermissionDenied):
        mfa_changes.reset(actor=program.pm, user=program.approver)
    assert WebAuthnCredential.objects.filter(user=program.approver).exists()
    assert not AuditEvent.objects.filter(action="mfa.reset").exists()


def test_the_reset_command_names_an_unknown_username(db):
    with pytest.raises(Exception, match="No account has the username “nobody”."):
        call_command("reset_second_factors", "nobody", stdout=StringIO())
