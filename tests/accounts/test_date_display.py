"""The account pages show dates as mm/dd/yyyy and times as mm/dd/yyyy hh:mm in the
program's time zone, like every other page; the access review's XLSX keeps ISO dates."""

from datetime import UTC, datetime

from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from tests.second_factor import factor_for

# 13:19 UTC is 08:19 in America/New_York (EST) on this day.
MOMENT = datetime(2026, 11, 30, 13, 19, tzinfo=UTC)
LATER = datetime(2026, 12, 1, 15, 5, tzinfo=UTC)


def _page(client, user, name) -> str:
    client.force_login(user)
    response = client.get(reverse(name))
    assert response.status_code == 200
    return response.content.decode()


def test_the_access_review_shows_the_last_sign_in_as_mm_dd_yyyy(client, program):
    User.objects.filter(username="officer_a").update(last_login=MOMENT)
    User.objects.exclude(username="officer_a").update(last_login=None)
    page = _page(client, program.auditor, "accounts:access_review")
    assert '<td data-label="Last sign-in">11/30/2026 08:19</td>' in page
    assert "2026-11-30" not in page


def test_authenticator_apps_show_when_they_were_last_used(client, program):
    client.force_login(program.officer_a)
    TOTPDevice.objects.filter(pk=factor_for(program.officer_a).pk).update(last_used_at=MOMENT)
    page = _page(client, program.officer_a, "mfa:manage")
    assert '<td data-label="Last used">11/30/2026 08:19</td>' in page
    assert "2026-11-30" not in page


def test_passkeys_show_when_they_were_added_and_last_used(client, program):
    client.force_login(program.approver)
    WebAuthnCredential.objects.filter(pk=factor_for(program.approver).pk).update(
        created_at=MOMENT, last_used_at=LATER
    )
    page = _page(client, program.approver, "mfa:manage")
    assert '<td data-label="Added">11/30/2026</td>' in page
    assert '<td data-label="Last used">12/01/2026 10:05</td>' in page
    assert "2026-11-30" not in page and "2026-12-01" not in page


def test_the_account_page_shows_when_the_session_signed_in(client, program):
    client.force_login(program.officer_a)
    # The session ends 12 hours after signing in, so the moment is a minute ago.
    signed_in = timezone.now().replace(second=0, microsecond=0)
    session = client.session
    session["signed_in_at"] = signed_in.timestamp()
    session.save()
    page = client.get(reverse("accounts:account")).content.decode()
    local = timezone.localtime(signed_in)
    assert f"<dd>{local:%m/%d/%Y %H:%M}</dd>" in page
    assert f"{local:%Y-%m-%d}" not in page
