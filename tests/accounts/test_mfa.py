"""Second factors: nothing before them, enrolment at first sign-in, TOTP, recovery
codes, passkey-only staff, step-up before money decisions, and the audit events.

People sign in here through the login page, with nothing given (tests/second_factor.py
is only for the tests that are not about factors)."""

import re
from binascii import unhexlify

import pytest
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from grants.audit import AuditEvent
from tests import factories
from tests.second_factor import factor_for, verify_session
from tests.test_permissions import MATRIX, POST_DATA, url_with_its_record

pytestmark = pytest.mark.django_db

VERIFY = reverse("mfa:verify")
ENROL = reverse("mfa:enrol")


def password_sign_in(client, user):
    response = client.post(
        reverse("login"), {"username": user.username, "password": factories.PASSWORD}
    )
    assert response.status_code == 302, response.content.decode()[:500]
    return response


def code_now(device: TOTPDevice, offset: int = 0) -> str:
    totp = TOTP(unhexlify(device.key))
    totp.time = totp.time + offset * 30
    return f"{totp.token():06d}"


def actions(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(actor=user, action__startswith="mfa.")
        .order_by("pk")
        .values_list("action", flat=True)
    )


# --- Nothing before the second factor ---------------------------------------------

PAGES = sorted(
    {name for name, method in MATRIX if method == "GET" and not name.startswith("mfa:")}
    - {"login", "logout"}
)


@pytest.mark.parametrize("name", PAGES)
def test_every_page_waits_for_the_second_factor(client, program, monkeypatch, name):
    if name.startswith("reports:report_"):
        from tests.reports.report_type_helpers import declare_amendment_reports

        declare_amendment_reports(monkeypatch)
    url = url_with_its_record(name, program)
    factor_for(program.officer_a)  # has a factor: asked to verify it
    password_sign_in(client, program.officer_a)
    response = client.get(url)
    assert response.status_code == 302, url
    assert response["Location"].startswith(VERIFY + "?next="), url


@pytest.mark.parametrize(
    "name", sorted(name for name, method in MATRIX if method == "POST" and name != "logout")
)
def test_no_form_is_taken_before_the_second_factor(client, program, name):
    url = url_with_its_record(name, program)
    data = POST_DATA.get(name, {})
    data = data(program) if callable(data) else data
    password_sign_in(client, program.pm)  # no factor yet: sent to enrol
    before = AuditEvent.objects.exclude(action__startswith="mfa.").count()
    response = client.post(url, data)
    assert response.status_code == 302
    assert response["Location"] == ENROL
    assert AuditEvent.objects.exclude(action__startswith="mfa.").count() == before


def test_admin_and_api_sessions_wait_too_and_tokens_do_not(client, program):
    program.pm.is_staff = program.pm.is_superuser = True
    program.pm.save()
    password_sign_in(client, program.pm)
    assert client.get("/admin/")["Location"] == ENROL
    assert client.get("/api/v1/awards/")["Location"] == ENROL
    # The enrolment pages, sign-out and static files stay reachable.
    assert client.get(ENROL).status_code == 200
    assert client.get(reverse("mfa:enrol_passkey")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_an_authorization_header_that_is_no_token_does_not_pass_the_second_factor(client, program):
    # A session that has met only the password, sending a header the token check ignores,
    # must not reach the API through the session: neither to read nor to write.
    password_sign_in(client, program.officer_a)
    for header in ("x", "Basic b2ZmaWNlcjpwdw==", "Token abc"):
        read = client.get("/api/v1/awards/", HTTP_AUTHORIZATION=header)
        assert read.status_code == 302 and read["Location"] == ENROL
        write = client.post("/api/v1/awards/x/drawdown-requests/", {}, HTTP_AUTHORIZATION=header)
        assert write.status_code == 302
    # A bearer token is judged by itself: a bad one is a 401, never the session.
    bad = client.get("/api/v1/awards/", HTTP_AUTHORIZATION="Bearer icac_not-a-token")
    assert bad.status_code == 401


def test_the_api_refuses_a_session_short_of_its_second_factor_whatever_reaches_it(rf, program):
    # The API's own session check, behind the middleware: a session that has not met
    # its factor is not a credential.
    from api.authentication import VerifiedSessionAuthentication

    request = rf.get("/api/v1/awards/")
    request.user = program.officer_a
    request.user.otp_device = None
    request._dont_enforce_csrf_checks = True
    from rest_framework.request import Request

    assert VerifiedSessionAuthentication().authenticate(Request(request)) is None


# --- Authenticator app -----------------------------------------------------------


def test_first_sign_in_enrols_an_app_then_signs_in_with_a_code(client, program, settings):
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # a wrong code would make the next wait a second
    officer = program.officer_a
    password_sign_in(client, officer)
    assert client.get(reverse("home"))["Location"] == ENROL
    page = client.get(reverse("mfa:enrol_totp"))
    assert page.status_code == 200
    body = page.content.decode()
    assert 'src="data:image/svg+xml;base64,' in body
    key = client.session["mfa_totp_key"]

    wrong = client.post(reverse("mfa:enrol_totp"), {"code": "000000"})
    assert "That code does not match" in wrong.content.decode()
    assert not TOTPDevice.objects.filter(user=officer).exists()

    right = f"{TOTP(unhexlify(key)).token():06d}"
    response = client.post(reverse("mfa:enrol_totp"), {"code": right, "name": "Work phone"})
    assert response["Location"] == reverse("mfa:recovery_codes")
    codes_page = client.get(reverse("mfa:recovery_codes")).content.decode()
    codes = re.findall(r"<code>([a-z0-9]{5}-[a-z0-9]{5})</code>", codes_page)
    assert len(codes) == 10
    # Shown once.
    assert "<code>" not in client.get(reverse("mfa:recovery_codes")).content.decode()
    assert client.get(reverse("home")).status_code == 200
    assert actions(officer) == [
        "mfa.verification_failed",
        "mfa.enrolled",
        "mfa.recovery_codes_issued",
    ]

    # Next sign-in: the password, then a code from the same secret.
    client.post(reverse("logout"))
    password_sign_in(client, officer)
    assert client.get(reverse("home"))["Location"].startswith(VERIFY)
    device = TOTPDevice.objects.get(user=officer)
    bad = client.post(VERIFY, {"code": "123456", "next": "/drawdowns/"})
    assert "That code is not right" in bad.content.decode()
    good = client.post(VERIFY, {"code": code_now(device, offset=1), "next": "/drawdowns/"})
    assert good["Location"] == "/drawdowns/"
    assert client.get(reverse("home")).status_code == 200
    assert actions(officer)[-2:] == ["mfa.verification_failed", "mfa.verified"]


def test_a_recovery_code_works_once(client, program):
    officer = program.officer_a
    factor_for(officer)
    client.force_login(officer)
    client.post(reverse("mfa:recovery_codes_regenerate"))
    codes = client.session["mfa_new_recovery_codes"]
    client.post(reverse("logout"))

    password_sign_in(client, officer)
    assert client.post(VERIFY, {"code": codes[3].upper()})["Location"] == reverse("home")
    assert client.get(reverse("home")).status_code == 200
    event = AuditEvent.objects.filter(actor=officer, action="mfa.recovery_code_used").get()
    assert event.data == {"codes_left": 9}

    client.post(reverse("logout"))
    password_sign_in(client, officer)
    again = client.post(VERIFY, {"code": codes[3]})
    assert again.status_code == 200
    assert "it was used already" in again.content.decode()
    assert client.get(reverse("home")).status_code == 302


def test_regenerating_codes_is_audited_and_voids_the_old_ones(client, program):
    officer = program.officer_a
    client.force_login(officer)
    client.post(reverse("mfa:recovery_codes_regenerate"))
    old = client.session["mfa_new_recovery_codes"]
    client.post(reverse("mfa:recovery_codes_regenerate"))
    assert actions(officer) == ["mfa.recovery_codes_issued"] * 2
    assert AuditEvent.objects.filter(action="mfa.recovery_codes_issued").last().data == {
        "count": 10,
        "reason": "regenerated",
    }
    client.post(reverse("logout"))
    password_sign_in(client, officer)
    assert client.post(VERIFY, {"code": old[0]}).status_code == 200  # refused


# --- Staff: passkeys only ----------------------------------------------------------


def test_staff_cannot_satisfy_the_factor_with_an_app(client, program):
    approver = program.approver
    device = TOTPDevice.objects.create(user=approver, name="Old phone", confirmed=True)
    password_sign_in(client, approver)
    assert client.get(reverse("mfa:enrol_totp"))["Location"] == VERIFY + "?next=" + (
        "/accounts/mfa/enrol/app/"
    ).replace("/", "%2F")
    response = client.post(VERIFY, {"code": code_now(device)})
    # The code opens passkey enrolment and nothing else.
    assert response["Location"] == reverse("mfa:enrol_passkey")
    assert client.get(reverse("home"))["Location"] == reverse("mfa:enrol_passkey")
    assert client.get(reverse("budgets:drawdown_queue"))["Location"] == reverse("mfa:enrol_passkey")
    assert client.get(reverse("mfa:enrol_passkey")).status_code == 200
    # And no app can be added instead.
    assert client.get(reverse("mfa:enrol")).status_code == 302


def test_staff_enrolment_offers_only_passkeys(client, program):
    password_sign_in(client, program.pm)
    body = client.get(ENROL).content.decode()
    assert "Set up a passkey" in body
    assert "Set up an app" not in body
    assert client.get(reverse("mfa:enrol_totp"))["Location"] == reverse("mfa:enrol_passkey")
    assert not TOTPDevice.objects.filter(user=program.pm).exists()


def test_staff_step_up_takes_no_code(client, program):
    client.force_login(program.approver)
    page = client.get(VERIFY + "?step_up=1")
    assert 'id="passkey-verification-button"' in page.content.decode()
    assert 'name="code"' not in page.content.decode()
    assert client.post(VERIFY, {"code": "123456"}).status_code == 403


# --- Step-up before money decisions -------------------------------------------------


def test_money_decisions_ask_again_when_the_verification_is_stale(client, program, settings):
    settings.MFA_STEP_UP_MINUTES = 15
    client.force_login(program.pm)
    verify_session(client.session, program.pm, minutes_ago=16)
    from tests.allocations.helpers import program_run

    run = program_run(program)
    response = client.post(reverse("allocations:run_publish", args=[run.pk]))
    back = reverse("allocations:run_detail", args=[run.pk])
    assert response["Location"] == f"{VERIFY}?next={back.replace('/', '%2F')}&step_up=1"
    run.refresh_from_db()
    assert run.status != "published"
    # Pages that decide nothing do not ask.
    assert client.get(back).status_code == 200

    client.force_login(program.approver)
    verify_session(client.session, program.approver, minutes_ago=16)
    response = client.post(reverse("budgets:drawdown_decide", args=[1, "approve"]))
    assert response["Location"].startswith(VERIFY + "?next=%2Fdrawdowns%2F&step_up=1")
    # Recording a file of payments or of past awards decides money too.
    for name in ("budgets:asap_payment_import", "budgets:history_import"):
        user = program.approver if name.endswith("asap_payment_import") else program.pm
        client.force_login(user)
        verify_session(client.session, user, minutes_ago=16)
        response = client.post(reverse(name), {"signed": "x"})
        assert response["Location"].startswith(VERIFY + "?next=")
        assert client.get(reverse(name)).status_code == 200

    client.force_login(program.officer_a)
    verify_session(client.session, program.officer_a, minutes_ago=16)
    url = url_with_its_record("reports:sf425_detail", program)
    assert client.get(url).status_code == 200
    response = client.post(url, {"remarks": ""})
    assert response["Location"].startswith(VERIFY + "?next=")

    # A fresh verification lets the decision through to the view's own rules.
    verify_session(client.session, program.officer_a, minutes_ago=14)
    assert client.post(url, {"remarks": ""}).status_code == 200


def test_step_up_with_a_code_returns_to_the_page(client, program):
    officer = program.officer_a
    device = factor_for(officer)
    client.force_login(officer)
    verify_session(client.session, officer, minutes_ago=30)
    url = url_with_its_record("reports:sf425_detail", program)
    page = client.get(VERIFY + "?next=" + url + "&step_up=1")
    assert "Confirm it is you" in page.content.decode()
    response = client.post(VERIFY, {"code": code_now(device), "next": url})
    assert response["Location"] == url
    assert client.post(url, {"remarks": ""}).status_code == 200


# --- Removal ---------------------------------------------------------------------


def test_removing_a_factor_is_audited_and_the_last_one_stays(client, program):
    officer = program.officer_a
    client.force_login(officer)
    only = factor_for(officer)
    response = client.post(reverse("mfa:remove", args=["app", only.pk]))
    assert response["Location"] == reverse("mfa:manage")
    assert TOTPDevice.objects.filter(pk=only.pk).exists()
    second = TOTPDevice.objects.create(user=officer, name="Spare phone", confirmed=True)
    client.post(reverse("mfa:remove", args=["app", second.pk]))
    assert not TOTPDevice.objects.filter(pk=second.pk).exists()
    event = AuditEvent.objects.get(action="mfa.removed")
    assert event.actor == officer
    assert event.data == {"factor": "authenticator app", "name": "Spare phone"}
    other = factor_for(program.officer_b)
    assert client.post(reverse("mfa:remove", args=["app", other.pk])).status_code == 404
