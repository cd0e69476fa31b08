"""Second factors for tests that are not about them.

Every test that signs someone in with `client.force_login` (or the browser tests'
`sign_in`) gets a session verified by a factor the person's role accepts (a stand-in
passkey for staff, an authenticator app otherwise), verified just now. The tests of the
factors themselves (tests/accounts/test_mfa*.py) sign in through the login page
instead, where nothing is given.
"""

import hashlib
import time

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp_webauthn.models import WebAuthnCredential

from accounts.mfa_policy import VERIFIED_AT_SESSION_KEY, requires_passkey


def factor_for(user):
    """A confirmed factor satisfying the user's role (made once per user)."""
    if requires_passkey(user):
        credential_id = f"test-passkey-{user.pk}".encode()
        device, _ = WebAuthnCredential.objects.get_or_create(
            user=user,
            credential_id_sha256=hashlib.sha256(credential_id).hexdigest(),
            defaults={
                "name": "Test passkey",
                "confirmed": True,
                "credential_id": credential_id,
                "public_key": b"not-a-real-key",
            },
        )
        return device
    device, _ = TOTPDevice.objects.get_or_create(
        user=user, name="Test app", defaults={"confirmed": True}
    )
    return device


def verify_session(session, user, *, minutes_ago: float = 0) -> None:
    """Mark `session` as verified by `user`'s factor `minutes_ago` minutes ago."""
    session[DEVICE_ID_SESSION_KEY] = factor_for(user).persistent_id
    session[VERIFIED_AT_SESSION_KEY] = time.time() - minutes_ago * 60
    session.save()
