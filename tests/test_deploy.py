"""Serving in production (docs/deploy.md): the health endpoints, JSON log lines with the
request id, mail without an SMTP server, the database's statement timeout, and the
operator commands of the README on a fresh database."""

import io
import json
import logging
import smtplib
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.db.utils import load_backend
from django.utils import timezone

from config import health
from config.log_format import JsonFormatter
from grants.request_context import request_context
from reports.models import WorkerHeartbeat
from reports.workers import beat
from tests.test_settings_contract import random_key, run_settings

PRODUCTION = dict(
    DJANGO_DEBUG="0", DJANGO_SECRET_KEY=random_key(), DJANGO_ALLOWED_HOSTS="grants.example.gov"
)


def unreachable_database():
    """A connection to the same kind of database that cannot be reached: PostgreSQL on a
    port nothing listens on, SQLite in a folder that does not exist."""
    settings_dict = dict(connection.settings_dict)
    if connection.vendor == "postgresql":
        settings_dict.update(HOST="127.0.0.1", PORT="9")
    else:
        settings_dict.update(NAME="/nonexistent-folder/db.sqlite3")
    backend = load_backend(settings_dict["ENGINE"])
    return backend.DatabaseWrapper(settings_dict, "default")


@pytest.fixture
def database_down(monkeypatch):
    broken = unreachable_database()
    monkeypatch.setattr(health, "connections", {"default": broken})
    yield
    broken.close()


def test_healthz_answers_without_the_database(client):
    # No django_db mark: any query here would fail the test.
    response = client.get("/healthz", HTTP_HOST="10.0.0.7")  # a probe by address
    assert response.status_code == 200
    assert response.json() == {"status": "ok"}


def test_readyz_is_503_when_the_database_is_unreachable(client, database_down, settings, caplog):
    settings.READINESS_CHECKS = ["config.health.database"]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json() == {
        "status": "failing",
        "checks": {"database": "failing"},
        "reasons": {"database": "the database did not answer"},
    }
    # The connection error itself (it names the host) goes to the log only.
    assert "readiness check database failed" in caplog.text
    assert "9" not in response.json()["reasons"]["database"]


ALL_OK = {"status": "ok", "checks": {"database": "ok", "worker_heartbeat": "ok"}}
NO_WORKER = {
    "checks": {"database": "ok", "worker_heartbeat": "failing"},
    "reasons": {"worker_heartbeat": "no background worker has reported in the last 60 seconds"},
}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "worker_required, status, state",
    [
        # By default /readyz, the load balancer's check, must not take every app server
        # out for a dead worker (pages are served without it): its body says so, and
        # ?worker=1 fails on it.
        (False, 200, "degraded"),
        (True, 503, "failing"),
    ],
    ids=["worker advisory by default", "worker required if configured"],
)
def test_readyz_counts_a_worker_alive_while_it_has_beaten_within_the_window(
    client, settings, worker_required, status, state
):
    if worker_required:
        settings.READINESS_ADVISORY = []  # DJANGO_READYZ_WORKER=1
    settings.WORKER_HEARTBEAT_TIMEOUT = 60
    response = client.get("/readyz")
    assert response.status_code == status
    assert response.json() == {"status": state, **NO_WORKER}
    assert client.get("/readyz?worker=1").status_code == 503

    beat("worker-on-host-2")
    for path in ("/readyz", "/readyz?worker=1"):
        response = client.get(path)
        assert response.status_code == 200
        assert response.json() == ALL_OK

    # Its last beat 61 seconds ago: taken for dead.
    WorkerHeartbeat.objects.update(beat_at=timezone.now() - timedelta(seconds=61))
    assert client.get("/readyz").status_code == status
    assert client.get("/readyz?worker=1").json() == {"status": "failing", **NO_WORKER}
    settings.WORKER_HEARTBEAT_TIMEOUT = 120  # a wider window, as configured
    assert client.get("/readyz").json() == ALL_OK
    assert client.get("/readyz?worker=1").status_code == 200

    # The workers alive take only "default": a large file would wait for good.
    WorkerHeartbeat.objects.update(queues="default")
    response = client.get("/readyz?worker=1")
    assert response.status_code == 503
    assert response.json()["reasons"] == {
        "worker_heartbeat": "no background worker that has reported in the last 120 seconds "
        'takes the queue "large"'
    }
    assert client.get("/readyz").status_code == status
    beat("worker-on-host-3", queues=["large"])
    assert client.get("/readyz?worker=1").json() == ALL_OK


def test_readyz_is_503_when_the_database_is_unreachable_whatever_the_worker_setting(
    client, database_down, settings
):
    # Every check, as in production: the database is never advisory.
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["status"] == "failing"
    assert response.json()["checks"]["database"] == "failing"


def stopped_worker():
    raise RuntimeError("no heartbeat for 5 minutes")


@pytest.mark.django_db
def test_readyz_runs_every_check_listed(client, settings):
    settings.READINESS_CHECKS = ["config.health.database", "tests.test_deploy.stopped_worker"]
    response = client.get("/readyz")
    assert response.status_code == 503
    assert response.json()["checks"] == {"database": "ok", "stopped_worker": "failing"}
    # Not a NotReady: its words may name hosts or users, so they stay in the log.
    assert response.json()["reasons"] == {"stopped_worker": "failed; the reason is in the log"}


@pytest.mark.django_db
def test_a_log_line_is_json_with_the_request_id(client):
    out = io.StringIO()
    handler = logging.StreamHandler(out)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("django.request")
    logger.addHandler(handler)
    try:
        response = client.get("/no-such-page/", HTTP_X_REQUEST_ID="trace-2025-0042")
    finally:
        logger.removeHandler(handler)
    assert response.status_code == 404
    assert response["X-Request-ID"] == "trace-2025-0042"
    [line] = out.getvalue().splitlines()
    logged = json.loads(line)
    assert logged["request_id"] == "trace-2025-0042"
    assert logged["level"] == "WARNING"
    assert logged["message"] == "Not Found: /no-such-page/"


def test_a_log_line_written_while_a_request_runs_names_it():
    record = logging.LogRecord("budgets", logging.INFO, "", 0, "Posted %s", ("#12",), None)
    with request_context("trace-2025-0043", "203.0.113.9"):
        logged = json.loads(JsonFormatter().format(record))
    assert logged["request_id"] == "trace-2025-0043"
    assert logged["message"] == "Posted #12"
    assert "request_id" not in json.loads(JsonFormatter().format(record))


def test_gunicorn_access_lines_carry_the_echoed_request_id():
    record = logging.LogRecord("gunicorn.access", logging.INFO, "", 0, "%(r)s", None, None)
    record.args = {
        "r": "GET /awards/ HTTP/1.1",
        "m": "GET",
        "U": "/awards/",
        "s": "200",
        "B": 5120,
        "h": "10.0.0.7",
        "a": "curl/8",
        "M": 42,
        "{x-request-id}o": "0b6f4c1e-8d0a-4c2b-9f11-3a4b5c6d7e8f",
    }
    logged = json.loads(JsonFormatter().format(record))
    assert logged["request_id"] == "0b6f4c1e-8d0a-4c2b-9f11-3a4b5c6d7e8f"
    assert (logged["method"], logged["path"], logged["status"], logged["duration_ms"]) == (
        "GET",
        "/awards/",
        "200",
        42,
    )


READ_SERVING = """
import json
import config.settings as s
db = s.DATABASES["default"]
print(json.dumps({
    "EMAIL_BACKEND": s.EMAIL_BACKEND,
    "EMAIL_HOST": s.EMAIL_HOST,
    "OPTIONS": db.get("OPTIONS", {}),
    "LOG_FORMATTER": s.LOGGING["handlers"]["console"]["formatter"],
    "STATICFILES": s.STORAGES["staticfiles"]["BACKEND"],
    "READINESS_CHECKS": s.READINESS_CHECKS,
    "READINESS_ADVISORY": s.READINESS_ADVISORY,
}))
"""


def test_production_mails_to_the_console_unless_an_smtp_host_is_set():
    plain = json.loads(run_settings(READ_SERVING, **PRODUCTION).stdout)
    assert plain["EMAIL_BACKEND"] == "django.core.mail.backends.console.EmailBackend"
    smtp = run_settings(READ_SERVING, **PRODUCTION, EMAIL_HOST="smtp.example.gov")
    assert json.loads(smtp.stdout)["EMAIL_BACKEND"] == "django.core.mail.backends.smtp.EmailBackend"


def test_production_logs_json_and_serves_compressed_hashed_static_files():
    s = json.loads(run_settings(READ_SERVING, **PRODUCTION).stdout)
    assert s["LOG_FORMATTER"] == "json"
    assert s["STATICFILES"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    assert s["READINESS_CHECKS"] == ["config.health.database", "config.health.worker_heartbeat"]
    assert s["READINESS_ADVISORY"] == ["worker_heartbeat"]  # a dead worker keeps the site up
    strict = run_settings(READ_SERVING, **PRODUCTION, DJANGO_READYZ_WORKER="1")
    assert json.loads(strict.stdout)["READINESS_ADVISORY"] == []


def test_postgresql_statements_time_out():
    url = "postgres://icac@db.example.gov:5432/icac"
    default = json.loads(run_settings(READ_SERVING, **PRODUCTION, DATABASE_URL=url).stdout)
    assert default["OPTIONS"]["options"] == "-c statement_timeout=30000 -c jit=off"
    assert default["OPTIONS"]["connect_timeout"] == 5
    chosen = run_settings(
        READ_SERVING, **PRODUCTION, DATABASE_URL=url, DJANGO_DB_STATEMENT_TIMEOUT_MS="5000"
    )
    assert json.loads(chosen.stdout)["OPTIONS"]["options"] == "-c statement_timeout=5000 -c jit=off"


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's own setting")
@pytest.mark.django_db
def test_the_statement_timeout_reaches_the_session(settings):
    with connection.cursor() as cursor:
        cursor.execute("SHOW statement_timeout")
        assert cursor.fetchone()[0] == "30s"


def test_the_deployment_checks_pass():
    result = run_settings(
        "import django, sys\n"
        "from django.core.management import call_command\n"
        "django.setup()\n"
        "call_command('check', deploy=True, fail_level='WARNING')\n",
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.django_db
def test_the_readme_s_daily_commands_run_on_a_fresh_database(monkeypatch, settings):
    """send_reminders, check_ledgers and verify_audit, as the README shows them, with
    production's mail setting when no SMTP server is configured: nothing tries SMTP."""

    def no_smtp(*args, **kwargs):
        raise AssertionError("tried to reach an SMTP server")

    monkeypatch.setattr(smtplib, "SMTP", no_smtp)
    settings.EMAIL_BACKEND = json.loads(run_settings(READ_SERVING, **PRODUCTION).stdout)[
        "EMAIL_BACKEND"
    ]
    out = io.StringIO()
    call_command("send_reminders", stdout=out)
    assert "Reminders sent: 0" in out.getvalue()
    call_command("check_ledgers", stdout=io.StringIO())
    call_command("verify_audit", stdout=io.StringIO())


READ_STORAGE = """
import json
import django
django.setup()
from django.core.files.storage import storages
default_storage = storages["default"]
options = {"bucket_name": None, "endpoint_url": None, "access_key": None, "location": None}
print(json.dumps({
    "class": type(default_storage).__module__ + "." + type(default_storage).__name__,
    **{name: getattr(default_storage, name, None) for name in options},
    "querystring_auth": getattr(default_storage, "querystring_auth", None),
    "file_overwrite": getattr(default_storage, "file_overwrite", None),
    "default_acl": getattr(default_storage, "default_acl", "unset"),
    "folder": str(getattr(default_storage, "location", "")),
}))
"""


def test_files_go_to_the_folder_unless_an_s3_bucket_is_configured(tmp_path):
    folder = run_settings(
        READ_STORAGE,
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_MEDIA_ROOT=str(tmp_path),
    )
    assert folder.returncode == 0, folder.stderr
    plain = json.loads(folder.stdout)
    assert plain["class"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert plain["folder"] == str(tmp_path)

    # Building the storage reaches no network: the bucket is first touched by a file.
    s3 = run_settings(
        READ_STORAGE,
        **PRODUCTION,
        DJANGO_SETTINGS_MODULE="config.settings",
        DJANGO_STORAGE_S3_BUCKET="icac-grants-files",
        DJANGO_STORAGE_S3_ENDPOINT_URL="https://minio.example.gov:9000",
        DJANGO_STORAGE_S3_ACCESS_KEY_ID="AKIAEXAMPLE",
        DJANGO_STORAGE_S3_PREFIX="production",
    )
    assert s3.returncode == 0, s3.stderr
    assert json.loads(s3.stdout) == {
        "class": "storages.backends.s3.S3Storage",
        "bucket_name": "icac-grants-files",
        "endpoint_url": "https://minio.example.gov:9000",
        "access_key": "AKIAEXAMPLE",
        "location": "production",
        "querystring_auth": True,
        "file_overwrite": False,
        "default_acl": None,
        "folder": "production",
    }
