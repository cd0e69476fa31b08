"""The in-memory passkey the load test signs staff in with (tests/soft_passkey.py), against
the system's own passkey verification: the second-factor page's begin and complete views,
with a production-like relying party (https origin, no localhost allowance)."""

import json

import pytest
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY

from grants.audit import AuditEvent
from tests import factories
from tests.soft_passkey import SoftPasskey

pytestmark = pytest.mark.django_db

RP_ID, ORIGIN = "grants.example.gov", "https://grants.example.gov"
BEGIN = reverse("otp_webauthn:credential-authentication-begin")
COMPLETE = reverse("otp_webauthn:credential-authentication-complete")


@pytest.fixture
def relying_party(settings):
    settings.OTP_WEBAUTHN_RP_ID = RP_ID
    settings.OTP_WEBAUTHN_ALLOWED_ORIGINS = [ORIGIN]
    settings.WEBAUTHN_LOCALHOST_ANY_PORT = False


def sign_in_with_password(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa:verify"))


def begin(client) -> dict:
    response = client.post(BEGIN, "{}", content_type="application/json")
    assert response.status_code == 200, response.content.decode()
    return response.json()


def complete(client, credential: dict):
    return client.post(COMPLETE, json.dumps(credential), content_type="application/json")


def passkey_actions(user) -> list[tuple[str, str]]:
    return [
        (event.action, event.data.get("factor"))
        for event in AuditEvent.objects.filter(actor=user, action__startswith="mfa.").order_by("pk")
    ]


def test_staff_sign_in_with_the_software_passkey(client, program, relying_party):
    passkey = SoftPasskey(RP_ID, ORIGIN)
    device = passkey.register(program.approver)
    sign_in_with_password(client, program.approver)
    page = client.get(reverse("mfa:verify")).content.decode()
    assert 'id="passkey-verification-button"' in page

    response = complete(client, passkey.assertion(begin(client)))

    assert response.status_code == 200, response.content.decode()
    assert response.json()["redirect_url"] == reverse("home")
    assert client.session[DEVICE_ID_SESSION_KEY] == device.persistent_id
    assert client.get(reverse("home")).status_code == 200
    assert passkey_actions(program.approver) == [("mfa.verified", "passkey")]
    device.refresh_from_db()
    assert device.sign_count == 1


def test_a_wrong_signature_is_refused(client, program, relying_party):
    passkey = SoftPasskey(RP_ID, ORIGIN)
    passkey.register(program.auditor)
    impostor = SoftPasskey(RP_ID, ORIGIN)
    impostor.credential_id = passkey.credential_id  # the right id, another key
    sign_in_with_password(client, program.auditor)

    response = complete(client, impostor.assertion(begin(client)))

    assert response.status_code >= 400
    assert DEVICE_ID_SESSION_KEY not in client.session
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa:verify"))
    assert passkey_actions(program.auditor) == [("mfa.verification_failed", "passkey")]


def test_another_origin_and_a_replayed_answer_are_refused(client, program, relying_party):
    passkey = SoftPasskey(RP_ID, ORIGIN)
    passkey.register(program.approver)
    sign_in_with_password(client, program.approver)

    phished = passkey.assertion(begin(client), origin="https://grants-example.net")
    assert complete(client, phished).status_code >= 400
    answer = passkey.assertion(begin(client))
    assert complete(client, answer).status_code == 200
    client.logout()
    sign_in_with_password(client, program.approver)
    begin(client)  # a new challenge: the old answer does not meet it
    assert complete(client, answer).status_code >= 400
    assert client.get(reverse("home"))["Location"].startswith(reverse("mfa:verify"))
