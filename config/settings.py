"""Settings, read from the environment.

Defaults are the safe, production ones. Development sets DJANGO_DEBUG=1 (the Makefile
does; the test suite's config/test_settings.py too), which relaxes only what plain-HTTP
local serving needs.
Every variable is listed in .env.example.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in ("1", "true", "yes"):
        return True
    if value.lower() in ("0", "false", "no"):
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_secret(name: str) -> str | None:
    """A secret from NAME or from the file NAME_FILE points at (container secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text().strip()
    return os.environ.get(name) or None


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)

# In production the key is required to serve (config/wsgi.py refuses to start without
# it) and to sign anything (Django refuses an empty key on use); commands that sign
# nothing, such as migrate and makemigrations, run without one.
SECRET_KEY = env_secret("DJANGO_SECRET_KEY") or (
    "development-only-key-not-for-production-use-0123456789abcdefghijkl" if DEBUG else ""
)

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost" if DEBUG else "")

INSTALLED_APPS = [
    "accounts.mfa_admin.SecondFactorAdminConfig",  # django.contrib.admin, behind the factor
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",  # its widget templates, found after ours (grants.form_renderer)
    "django_tables2",
    "django_filters",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # the docs' Swagger UI files, served as our own static files
    "pgtrigger",  # PostgreSQL triggers that refuse changes to evidence (grants.protected)
    "axes",  # counts failed sign-ins and locks them out (accounts/lockout.py)
    "django_otp",
    "django_otp.plugins.otp_totp",  # authenticator apps
    "django_otp.plugins.otp_static",  # one-time recovery codes
    "django_otp_webauthn",  # passkeys
    "grants",
    "accounts",
    "budgets",
    "reports",
    # After reports: its `db_worker` (the same worker, with a heartbeat) wins over theirs.
    "django_tasks",  # background work (see "Background work" below)
    "django_tasks_db",
    "documents",
    "compliance",
    "oversight",
    "allocations",
    "api",
    "demo",
]

# The JSON API (api/): reads, and ledger writes through the services; JSON only, errors as problem details, lists by cursor.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.ApiTokenAuthentication",
        "api.authentication.VerifiedSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    # Per token (or signed-in person): reads and writes counted apart (api/throttles.py).
    "DEFAULT_THROTTLE_CLASSES": ["api.throttles.TokenRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        "api_read": os.environ.get("API_READ_RATE", "600/min"),
        "api_write": os.environ.get("API_WRITE_RATE", "60/min"),
    },
}
SPECTACULAR_SETTINGS = {
    "TITLE": "ICAC grants administration API",
    "DESCRIPTION": "Access to task forces, appropriations, awards, balances, "
    "ledger entries and drawdown requests, as far as the token's user may read them; "
    "finance officers record ledger entries, reversals and drawdown requests. "
    "Money is a string with two decimals. Errors are RFC 9457 problem details.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": ["api.authentication.VerifiedSessionAuthentication"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "api.schema_hooks.forbid_unknown_fields",
    ],
    # One name for each set of choices that several fields share.
    "ENUM_NAME_OVERRIDES": {
        "LedgerKindEnum": "budgets.models.LedgerEntry.Kind",
        "RecordableKindEnum": "api.serializers.RECORDABLE_KIND_CHOICES",
        "CategoryEnum": "budgets.models.Category",
        "ShareEnum": "budgets.models.LedgerEntry.Share",
    },
}

# Every widget gets its USWDS class as it renders (grants/form_renderer.py).
FORM_RENDERER = "grants.form_renderer.UswdsFormRenderer"

MIDDLEWARE = [
    # /healthz and /readyz answer here, before the host check, HTTPS redirect and sign-in.
    "config.health.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.RequestContextMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # After sign-in is known: the 12-hour limit and "Sign out everywhere" end sessions here.
    "accounts.middleware.SessionLimitsMiddleware",
    # Nothing but enrolment and verification before the second factor (accounts/mfa_policy.py).
    "accounts.mfa_middleware.SecondFactorRequiredMiddleware",
    # Sees every 403 on its way out (the views', the API's, CSRF's) and records it.
    "accounts.middleware.RefusalAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "config.middleware.SecurityHeadersMiddleware",
    # Last, as django-axes requires: turns a locked-out sign-in into the lockout page.
    "axes.middleware.AxesMiddleware",
]

# django-axes first: it refuses a locked-out username or address before the password is
# even checked (NIST SP 800-53 AC-7).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the "sign out everywhere" epoch with the person.
    "accounts.backends.AccountBackend",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "grants.context_processors.roles",
                "grants.context_processors.navigation",
                "accounts.mfa_context.second_factor",
            ],
        },
    },
]

# DATABASE_URL selects the database: sqlite:///path or postgres://user@host:port/name.
# Without it, an SQLite file in the project.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        # A worker keeps its connection for a minute: a new PostgreSQL connection per
        # request costs a process start and a cold catalog cache on the server.
        conn_max_age=env_int("DJANGO_CONN_MAX_AGE", 60),
        # A kept connection that the server closed (a restart, a failover) is replaced
        # at the next request's start instead of failing it.
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A statement running longer than this is cancelled by PostgreSQL: one slow page
    # cannot hold a worker and a connection for good. 0 turns it off (migrations on a
    # large database, docs/deploy.md). Kept below gunicorn's worker timeout.
    # JIT compilation is off: it costs seconds on a page's large but simple query
    # (a deep ledger page) and gains nothing on short ones.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    statement_timeout = env_int("DJANGO_DB_STATEMENT_TIMEOUT_MS", 30_000)
    options["options"] = " ".join(
        filter(
            None,
            [options.get("options", ""), f"-c statement_timeout={statement_timeout} -c jit=off"],
        )
    )
    options.setdefault("connect_timeout", env_int("DJANGO_DB_CONNECT_TIMEOUT", 5))
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Writers take the database lock when their transaction starts, so two posting
    # services serialise instead of failing with "database is locked" on upgrade.
    DATABASES["default"].setdefault("OPTIONS", {})["transaction_mode"] = "IMMEDIATE"
    DATABASES["default"]["OPTIONS"]["timeout"] = 20
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get("DJANGO_TEST_SQLITE")

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Passwords per NIST SP 800-63B: long passphrases welcome, a minimum length, common and
# context-specific passwords refused, and no composition rules (accounts/passwords.py).
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "accounts.passwords.MaximumLengthValidator", "OPTIONS": {"max_length": 256}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "accounts.passwords.ContextWordsValidator"},
    {"NAME": "accounts.passwords.RepetitiveOrSequentialValidator"},
]
# Argon2 hashes new passwords; a PBKDF2 hash is rehashed with Argon2 at the next sign-in.
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
]
# A password-reset link works once (it signs the password hash) and for an hour.
PASSWORD_RESET_TIMEOUT = env_int("DJANGO_PASSWORD_RESET_SECONDS", 60 * 60)

# Lockout (django-axes): after this many failed sign-ins for one username (from anywhere),
# or from one address (on any usernames), sign-in is refused until the cool-off passes or
# an administrator unlocks (docs/security.md#lockout).
AXES_FAILURE_LIMIT = env_int("DJANGO_LOCKOUT_FAILURES", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("DJANGO_LOCKOUT_MINUTES", 30))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "accounts.lockout.client_address"
AXES_ENABLE_ADMIN = False  # unlocking goes through the audited access review page
AXES_VERBOSE = False

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Second factors (docs/security.md "Second factors"). There is no switch to turn them off.
# Money decisions ask for the factor again when the last verification is older than this.
MFA_STEP_UP_MINUTES = env_int("DJANGO_MFA_STEP_UP_MINUTES", 15)
# The local demo only (`make run`): program-office staff may sign in with the demo's
# authenticator-app codes instead of a passkey. Production refuses it below.
MFA_DEMO_TOTP_FOR_STAFF = env_bool("DJANGO_MFA_DEMO_TOTP_FOR_STAFF", False)
OTP_TOTP_ISSUER = "ICAC Grants"
OTP_WEBAUTHN_RP_NAME = "ICAC Grants"
# The relying party is the site's host name; passkeys are bound to it. Browsers allow
# WebAuthn on http only for "localhost", which development uses (not 127.0.0.1).
OTP_WEBAUTHN_RP_ID = os.environ.get("DJANGO_WEBAUTHN_RP_ID") or (
    "localhost" if DEBUG else next(iter(ALLOWED_HOSTS), "")
)
OTP_WEBAUTHN_ALLOWED_ORIGINS = env_list(
    "DJANGO_WEBAUTHN_ORIGINS",
    "http://localhost:8000" if DEBUG else ",".join(f"https://{h}" for h in ALLOWED_HOSTS),
)
# django-otp-webauthn's checks want both at every command; a host that only migrates has
# no host name yet. accounts.mfa_webauthn.PasskeyHelper refuses a ceremony without them.
SILENCED_SYSTEM_CHECKS = ["otp_webauthn.E010", "otp_webauthn.E030"]
# Development and the test suite also accept http://localhost on any port (test servers
# pick one); production only the origins above.
WEBAUTHN_LOCALHOST_ANY_PORT = DEBUG
OTP_WEBAUTHN_HELPER_CLASS = "accounts.mfa_webauthn.PasskeyHelper"
# The password comes first, then the passkey: no passwordless sign-in past the lockout.
OTP_WEBAUTHN_ALLOW_PASSWORDLESS_LOGIN = False

LANGUAGE_CODE = "en-us"
TIME_ZONE = "America/New_York"
USE_I18N = False
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = BASE_DIR / "staticfiles"
WHITENOISE_AUTOREFRESH = DEBUG  # development serves files straight from STATICFILES_DIRS
# Attached documents (documents/) and prepared downloads go through the default storage,
# never a path of the app server's disk: a folder here, or an S3-compatible store
# (django-storages) when DJANGO_STORAGE_S3_BUCKET names a bucket. MEDIA_URL is not
# routed: files are served only by the scoped download views.
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT") or BASE_DIR / "media")
S3_BUCKET = os.environ.get("DJANGO_STORAGE_S3_BUCKET", "")
if S3_BUCKET:
    DEFAULT_STORAGE = {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            # Another S3-compatible store (MinIO, Ceph...); AWS itself needs none.
            "endpoint_url": os.environ.get("DJANGO_STORAGE_S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("DJANGO_STORAGE_S3_REGION") or None,
            "addressing_style": os.environ.get("DJANGO_STORAGE_S3_ADDRESSING_STYLE") or None,
            # Without keys, boto3 finds the credentials itself (the server's role).
            "access_key": env_secret("DJANGO_STORAGE_S3_ACCESS_KEY_ID"),
            "secret_key": env_secret("DJANGO_STORAGE_S3_SECRET_ACCESS_KEY"),
            "location": os.environ.get("DJANGO_STORAGE_S3_PREFIX", ""),
            # Private objects, fetched only through the app's own scoped views; a name
            # taken gets a new one instead of replacing evidence.
            "default_acl": None,
            "querystring_auth": True,
            "file_overwrite": False,
        },
    }
else:
    DEFAULT_STORAGE = {
        "BACKEND": "django.core.files.storage.FileSystemStorage",
        "OPTIONS": {"location": MEDIA_ROOT},
    }
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}

# The largest document that may be attached to an award, report or budget change.
DOCUMENT_MAX_MB = env_int("DJANGO_DOCUMENT_MAX_MB", 10)
# Background work: large downloads are prepared by `manage.py db_worker` (django-tasks with
# its database backend, so no other service is needed) and kept in the default storage
# for DOWNLOADS_KEEP_DAYS days (reports/prepared.py). Files of LARGE_FILE_ROWS rows or
# more go to the queue "large", so a worker started on "default" alone is always free
# for the others (docs/operations.md).
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default", "large"]}}
LARGE_FILE_ROWS = 100_000
DOWNLOADS_KEEP_DAYS = env_int("DJANGO_DOWNLOADS_KEEP_DAYS", 7)
# Each worker records a heartbeat this often (seconds, reports/workers.py); one silent for
# WORKER_HEARTBEAT_TIMEOUT seconds is taken for dead: /readyz fails if no worker is left,
# and the downloads it was writing are marked failed so that people can ask again.
WORKER_HEARTBEAT_SECONDS = env_int("DJANGO_WORKER_HEARTBEAT_SECONDS", 10)
WORKER_HEARTBEAT_TIMEOUT = env_int("DJANGO_WORKER_HEARTBEAT_TIMEOUT", 60)
if not 1 <= WORKER_HEARTBEAT_SECONDS < WORKER_HEARTBEAT_TIMEOUT:
    raise ImproperlyConfigured(
        "DJANGO_WORKER_HEARTBEAT_SECONDS must be at least 1 and below "
        "DJANGO_WORKER_HEARTBEAT_TIMEOUT"
    )

# Mail goes to an SMTP server when EMAIL_HOST names one, else to the console (the
# process's output), so a fresh install never fails sending reminders for want of one.
EMAIL_HOST = os.environ.get("EMAIL_HOST", "")
EMAIL_PORT = env_int("EMAIL_PORT", 587)
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD") or ""
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)  # port 465; STARTTLS (EMAIL_USE_TLS) otherwise
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)
EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND") or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "icac-grants@localhost")

# Sessions: 15 minutes idle (NIST SP 800-53 AC-11), renewed by a signed-in person's
# requests at most once a minute (accounts.middleware.SessionLimitsMiddleware): a session
# ends 14 to 15 minutes after its last request, never later, without a database write
# for every page.
SESSION_COOKIE_AGE = env_int("DJANGO_SESSION_IDLE_SECONDS", 15 * 60)
SESSION_SAVE_EVERY_REQUEST = False
SESSION_RENEW_SECONDS = 60
# ... and never more than 12 hours after signing in, however active (AC-12).
SESSION_ABSOLUTE_SECONDS = env_int("DJANGO_SESSION_ABSOLUTE_SECONDS", 12 * 60 * 60)
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Behind a TLS-terminating proxy, the client's address is the last one it appended to
# X-Forwarded-For (the lockout counts per address: accounts/lockout.py).
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
# How many proxies in front of the app append to X-Forwarded-For. The address audit events
# record is the entry that many places from the right (grants.request_context); 0 (no
# proxy; the default unless DJANGO_BEHIND_PROXY) means REMOTE_ADDR, X-Forwarded-For ignored.
TRUSTED_PROXY_COUNT = env_int("DJANGO_TRUSTED_PROXY_COUNT", 1 if BEHIND_PROXY else 0)
if not 0 <= TRUSTED_PROXY_COUNT <= 5:
    raise ImproperlyConfigured("DJANGO_TRUSTED_PROXY_COUNT must be between 0 and 5")

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

if not DEBUG:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    # __Host- cookies are only sent over HTTPS, to this host, for every path.
    SESSION_COOKIE_NAME = "__Host-sessionid"
    CSRF_COOKIE_NAME = "__Host-csrftoken"
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
    # Environment variables may tighten these, never loosen them in production.
    if SECURE_HSTS_SECONDS < 31536000:
        raise ImproperlyConfigured("DJANGO_HSTS_SECONDS must be at least 31536000 (one year)")
    if not 60 <= SESSION_COOKIE_AGE <= 30 * 60:
        raise ImproperlyConfigured("DJANGO_SESSION_IDLE_SECONDS must be between 60 and 1800")
    if not 60 * 60 <= SESSION_ABSOLUTE_SECONDS <= 12 * 60 * 60:
        raise ImproperlyConfigured("DJANGO_SESSION_ABSOLUTE_SECONDS must be between 3600 and 43200")
    if MFA_DEMO_TOTP_FOR_STAFF:
        raise ImproperlyConfigured("DJANGO_MFA_DEMO_TOTP_FOR_STAFF is for the local demo only")
    if not 1 <= MFA_STEP_UP_MINUTES <= 15:
        raise ImproperlyConfigured("DJANGO_MFA_STEP_UP_MINUTES must be between 1 and 15")
    if BEHIND_PROXY:
        SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# Logs on stdout: JSON lines in production (config/log_format.py, each with the request
# id the audit trail records), plain lines in development.
LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT") or ("text" if DEBUG else "json")
if LOG_FORMAT not in ("json", "text"):
    raise ImproperlyConfigured(f"DJANGO_LOG_FORMAT must be json or text, not {LOG_FORMAT!r}")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "config.log_format.JsonFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": LOG_FORMAT,
        }
    },
    # django-axes logs every sign-in at INFO; the audit trail records them instead.
    "loggers": {"axes": {"level": "WARNING"}},
    "root": {
        "handlers": ["console"],
        "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO"),
    },
}

# What /readyz checks (config/health.py): each a function that raises when not ready.
# Every check is reported in /readyz's body; a failing one makes it 503 unless it is
# advisory. The worker's heartbeat is advisory unless DJANGO_READYZ_WORKER=1: pages are
# served without a worker (only prepared downloads wait), and /readyz is the load
# balancer's check, so one dead worker must not take every app server out.
READINESS_CHECKS = ["config.health.database", "config.health.worker_heartbeat"]
READINESS_ADVISORY = [] if env_bool("DJANGO_READYZ_WORKER", False) else ["worker_heartbeat"]

FILTERS_EMPTY_CHOICE_LABEL = "Any"
DJANGO_TABLES2_TEMPLATE = "django_tables2/uswds.html"
# Stacked: below 480 px each row becomes a card of "heading: value" lines (static/app.css).
DJANGO_TABLES2_TABLE_ATTRS = {
    "class": "usa-table usa-table--borderless usa-table--striped usa-table--stacked"
}
