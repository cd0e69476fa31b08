"""The production settings contract: what config/settings.py must give when it is
loaded with DJANGO_DEBUG=0, and the security headers every response carries.

The settings are imported in a fresh interpreter, because the test process has
already loaded them with DJANGO_DEBUG=1.
"""

import json
import os
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest

PROJECT = Path(__file__).resolve().parent.parent

READ_SETTINGS = """
import json
import config.settings as s

def min_length():
    for validator in s.AUTH_PASSWORD_VALIDATORS:
        if validator["NAME"].endswith(".MinimumLengthValidator"):
            return validator.get("OPTIONS", {}).get("min_length", 8)
    return None

print(json.dumps({
    "DEBUG": s.DEBUG,
    "SESSION_COOKIE_SECURE": getattr(s, "SESSION_COOKIE_SECURE", False),
    "CSRF_COOKIE_SECURE": getattr(s, "CSRF_COOKIE_SECURE", False),
    "SESSION_COOKIE_NAME": getattr(s, "SESSION_COOKIE_NAME", "sessionid"),
    "CSRF_COOKIE_NAME": getattr(s, "CSRF_COOKIE_NAME", "csrftoken"),
    "SECURE_HSTS_SECONDS": getattr(s, "SECURE_HSTS_SECONDS", 0),
    "SECURE_HSTS_INCLUDE_SUBDOMAINS": getattr(s, "SECURE_HSTS_INCLUDE_SUBDOMAINS", False),
    "X_FRAME_OPTIONS": getattr(s, "X_FRAME_OPTIONS", None),
    "PASSWORD_HASHER": s.PASSWORD_HASHERS[0],
    "MIN_PASSWORD_LENGTH": min_length(),
    "SESSION_COOKIE_AGE": getattr(s, "SESSION_COOKIE_AGE", 1209600),
    "SESSION_ABSOLUTE_SECONDS": s.SESSION_ABSOLUTE_SECONDS,
    "AXES_FAILURE_LIMIT": s.AXES_FAILURE_LIMIT,
    "ALLOWED_HOSTS": s.ALLOWED_HOSTS,
    "MIDDLEWARE": s.MIDDLEWARE,
    "MFA_STEP_UP_MINUTES": s.MFA_STEP_UP_MINUTES,
    "MFA_DEMO_TOTP_FOR_STAFF": s.MFA_DEMO_TOTP_FOR_STAFF,
    "OTP_WEBAUTHN_RP_ID": s.OTP_WEBAUTHN_RP_ID,
    "OTP_WEBAUTHN_ALLOWED_ORIGINS": s.OTP_WEBAUTHN_ALLOWED_ORIGINS,
    "WEBAUTHN_LOCALHOST_ANY_PORT": s.WEBAUTHN_LOCALHOST_ANY_PORT,
    "OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN": s.OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN,
}))
"""


def run_settings(script: str = READ_SETTINGS, **env: str) -> subprocess.CompletedProcess:
    """Run `script` (by default: import config.settings) in a new interpreter with only
    the given DJANGO_* variables."""
    clean = {
        k: v for k, v in os.environ.items() if not k.startswith("DJANGO_") and k != "DATABASE_URL"
    }
    return subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        timeout=60,
    )


def random_key(n: int = 64) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(n))


def test_production_settings_contract():
    result = run_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=random_key(),
        DJANGO_ALLOWED_HOSTS="grants.example.gov",
    )
    assert result.returncode == 0, result.stderr
    s = json.loads(result.stdout)
    assert s["DEBUG"] is False
    assert s["SESSION_COOKIE_SECURE"] is True
    assert s["CSRF_COOKIE_SECURE"] is True
    assert s["SESSION_COOKIE_NAME"] == "__Host-sessionid"
    assert s["CSRF_COOKIE_NAME"] == "__Host-csrftoken"
    assert s["SECURE_HSTS_SECONDS"] >= 31536000
    assert s["SECURE_HSTS_INCLUDE_SUBDOMAINS"] is True
    assert s["X_FRAME_OPTIONS"] == "DENY"
    assert s["PASSWORD_HASHER"] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    assert s["MIN_PASSWORD_LENGTH"] is not None and s["MIN_PASSWORD_LENGTH"] >= 12
    assert s["SESSION_COOKIE_AGE"] <= 1800
    assert s["SESSION_ABSOLUTE_SECONDS"] <= 12 * 60 * 60
    assert s["AXES_FAILURE_LIMIT"] <= 10
    assert s["ALLOWED_HOSTS"] == ["grants.example.gov"]
    # Second factors (docs/security.md "Second factors"): required, and nothing relaxes them.
    otp = s["MIDDLEWARE"].index("django_otp.middleware.OTPMiddleware")
    assert s["MIDDLEWARE"].index("accounts.mfa_middleware.SecondFactorRequiredMiddleware") > otp
    assert s["MFA_STEP_UP_MINUTES"] <= 15
    assert s["MFA_DEMO_TOTP_FOR_STAFF"] is False
    assert s["OTP_WEBAUTHN_RP_ID"] == "grants.example.gov"
    assert s["OTP_WEBAUTHN_ALLOWED_ORIGINS"] == ["https://grants.example.gov"]
    assert s["WEBAUTHN_LOCALHOST_ANY_PORT"] is False
    assert s["OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN"] is False


def test_production_refuses_the_demo_s_second_factor_shortcut():
    result = run_settings(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=random_key(),
        DJANGO_ALLOWED_HOSTS="grants.example.gov",
        DJANGO_MFA_DEMO_TOTP_FOR_STAFF="1",
    )
    assert result.returncode != 0
    assert "DJANGO_MFA_DEMO_TOTP_FOR_STAFF is for the local demo only" in result.stderr


def test_production_refuses_to_serve_without_a_secret_key():
    result = run_settings(
        "import config.wsgi", DJANGO_DEBUG="0", DJANGO_ALLOWED_HOSTS="grants.example.gov"
    )
    assert result.returncode != 0, result.stdout
    assert "ImproperlyConfigured" in result.stderr
    assert "DJANGO_SECRET_KEY (or DJANGO_SECRET_KEY_FILE) is required to serve" in result.stderr
    served = run_settings(
        "import config.wsgi",
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=random_key(),
        DJANGO_ALLOWED_HOSTS="grants.example.gov",
    )
    assert served.returncode == 0, served.stderr


def test_commands_that_sign_nothing_run_without_a_secret_key():
    """Migrations can be checked and applied on a machine that holds no key."""
    result = subprocess.run(
        [sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"],
        cwd=PROJECT,
        env={k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "No changes detected" in result.stdout


def csp_directives(header: str) -> dict[str, list[str]]:
    directives = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            directives[words[0].lower()] = words[1:]
    return directives


def test_login_page_carries_the_security_headers(client):
    response = client.get("/accounts/login/")
    assert response.status_code == 200
    csp = response.headers.get("Content-Security-Policy", "")
    directives = csp_directives(csp)
    assert directives.get("frame-ancestors") == ["'none'"], csp
    script_src = directives.get("script-src", directives.get("default-src"))
    assert script_src, csp
    assert "'unsafe-inline'" not in script_src, csp
    assert response.headers.get("X-Frame-Options") == "DENY"
    assert response.headers.get("X-Content-Type-Options") == "nosniff"


@pytest.mark.django_db
def test_signed_in_pages_are_not_cached(client, program):
    client.force_login(program.pm)
    response = client.get("/")
    assert response.status_code == 200
    assert "no-store" in response.headers.get("Cache-Control", "")
    assert "frame-ancestors 'none'" in response.headers.get("Content-Security-Policy", "")
