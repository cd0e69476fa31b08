"""The demo's way past the second factor: every demo account gets the same
authenticator-app secret, printed by load_demo, so a developer adds it to one app (or
computes codes from it) and signs in as anyone. Development only: load_demo refuses it
without DEBUG, and the production settings refuse the switch that lets staff use it
(DJANGO_MFA_DEMO_TOTP_FOR_STAFF, set by `make run`)."""

from base64 import b32decode
from binascii import hexlify

from django.conf import settings
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

DEMO_TOTP_SECRET = "ICACDEMOTOTPKEYFORLOCALDEVONLY23"  # base32, 20 bytes
DEMO_DEVICE_NAME = "Demo authenticator app"


def enrol_demo_app(user) -> None:
    if not settings.DEBUG:
        raise RuntimeError("The demo's shared second factor is for development only.")
    key = hexlify(b32decode(DEMO_TOTP_SECRET)).decode()
    TOTPDevice.objects.get_or_create(
        user=user, name=DEMO_DEVICE_NAME, defaults={"key": key, "confirmed": True}
    )


def current_code() -> str:
    return f"{TOTP(b32decode(DEMO_TOTP_SECRET)).token():06d}"
