"""Second factors in Chromium: a financial approver enrols a passkey at first sign-in and
signs in with it (Chromium's virtual authenticator, through the DevTools protocol); a
finance officer does the same with an authenticator app, the code computed from the
secret the page shows. Both under the app's CSP (no inline script)."""

from base64 import b32decode

import pytest
from django_otp.oath import TOTP

from grants.audit import AuditEvent
from tests import factories
from tests.e2e.conftest import password_sign_in

pytestmark = pytest.mark.e2e


def add_virtual_authenticator(page) -> dict:
    cdp = page.context.new_cdp_session(page)
    cdp.send("WebAuthn.enable")
    added = cdp.send(
        "WebAuthn.addVirtualAuthenticator",
        {
            "options": {
                "protocol": "ctap2",
                "transport": "internal",
                "hasResidentKey": True,
                "hasUserVerification": True,
                "isUserVerified": True,
            }
        },
    )
    return {"cdp": cdp, "id": added["authenticatorId"]}


def watch_console(page) -> list[str]:
    errors = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    return errors


def sign_out(page):
    page.get_by_role("button", name="Sign out").first.click()
    page.wait_for_load_state()


def test_passkey_enrolment_and_sign_in(live_program, live_server, browser_page, shot):
    page = browser_page
    errors = watch_console(page)
    authenticator = add_virtual_authenticator(page)
    password_sign_in(page, live_server.url, "approver", factories.PASSWORD)
    assert page.url.endswith("/accounts/mfa/enrol/")
    assert page.get_by_text("Set up an app").count() == 0  # staff: passkeys only
    shot(page, "enrol-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "enrol-390")
    page.set_viewport_size({"width": 1280, "height": 900})

    page.get_by_role("link", name="Set up a passkey").click()
    page.wait_for_load_state()
    shot(page, "enrol-passkey")
    page.get_by_role("button", name="Create a passkey").click()
    page.wait_for_url("**/accounts/mfa/recovery-codes/")
    codes = page.get_by_test_id("recovery-codes").locator("code").all_inner_texts()
    assert len(codes) == 10
    shot(page, "recovery-codes")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Drawdowns").count() == 1
    credentials = authenticator["cdp"].send(
        "WebAuthn.getCredentials", {"authenticatorId": authenticator["id"]}
    )["credentials"]
    assert len(credentials) == 1 and credentials[0]["isResidentCredential"]

    sign_out(page)
    password_sign_in(page, live_server.url, "approver", factories.PASSWORD)
    assert "/accounts/mfa/verify/" in page.url
    shot(page, "verify-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "verify-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    page.get_by_role("button", name="Use passkey").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Drawdowns").count() == 1

    events = AuditEvent.objects.filter(actor=live_program.approver, action__startswith="mfa.")
    assert sorted(events.values_list("action", "data__factor")) == [
        ("mfa.enrolled", "passkey"),
        ("mfa.recovery_codes_issued", None),
        ("mfa.verified", "passkey"),
    ]
    assert not [e for e in errors if "Content Security Policy" in e], errors


def test_authenticator_app_enrolment_and_sign_in(live_program, live_server, browser_page, shot):
    page = browser_page
    password_sign_in(page, live_server.url, "officer_a", factories.PASSWORD)
    page.get_by_role("link", name="Set up an app").click()
    page.wait_for_load_state()
    shot(page, "enrol-app-1280")
    page.set_viewport_size({"width": 390, "height": 844})
    shot(page, "enrol-app-390")
    page.set_viewport_size({"width": 1280, "height": 900})
    qr = page.get_by_role("img", name="QR code to add ICAC Grants to an authenticator app")
    assert qr.get_attribute("src").startswith("data:image/svg+xml;base64,")
    assert qr.evaluate("img => img.naturalWidth") > 0  # drawn, not blocked by the CSP
    secret = page.get_by_test_id("totp-secret").inner_text().replace(" ", "")
    totp = TOTP(b32decode(secret))

    page.get_by_label("The 6-digit code your app shows").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Add the app").click()
    page.wait_for_url("**/accounts/mfa/recovery-codes/")
    page.get_by_role("link", name="I have kept them: continue").click()
    page.wait_for_load_state()
    assert page.get_by_role("link", name="Drawdowns").count() == 1

    sign_out(page)
    password_sign_in(page, live_server.url, "officer_a", factories.PASSWORD)
    assert "/accounts/mfa/verify/" in page.url
    shot(page, "verify-app")
    totp.time += 30  # the next code: a code is accepted once
    page.get_by_role("textbox", name="One-time code").fill(f"{totp.token():06d}")
    page.get_by_role("button", name="Verify").click()
    page.wait_for_url(f"{live_server.url}/")
    assert page.get_by_role("link", name="Drawdowns").count() == 1
