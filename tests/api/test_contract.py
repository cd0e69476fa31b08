"""Contract test: for each operation of the OpenAPI schema (built with warnings as
errors, as in test_schema.py), a bounded number of generated requests (schemathesis),
sent to the app in-process as a finance officer with a token: no 5xx, and every response
whose status the schema documents matches it."""

import tempfile
from dataclasses import dataclass
from pathlib import Path

import pytest
import schemathesis
import yaml
from django.core.management import call_command
from django.core.signals import request_finished, request_started
from django.core.wsgi import get_wsgi_application
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.config import SchemathesisConfig
from schemathesis.specs.openapi.checks import response_schema_conformance

from reports.models import ProgressReport
from tests.api.helpers import bearer
from tests.api.test_api_permissions import file_progress
from tests.budgets.ledger_helpers import activate, draw, post


def built_schema() -> dict:
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "schema.yaml"
        call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
        return yaml.safe_load(target.read_text())


# Examples and fuzzing, bounded by max_examples; the coverage phase's boundary cases are
# unbounded in number and would take minutes.
CONFIG = SchemathesisConfig.from_dict(
    {"phases": {"coverage": {"enabled": False}}, "generation": {"mode": "positive"}}
)
schema = schemathesis.openapi.from_dict(built_schema(), config=CONFIG)
schema.app = get_wsgi_application()


@dataclass
class Officer:
    headers: dict
    path_parameters: dict


@pytest.fixture
def keep_the_test_connection():
    """The app is called as WSGI, not through Django's test client: as the client does,
    keep Django from closing the database connection (and the test's transaction with
    it) at the end of each request."""
    for signal in (request_started, request_finished):
        signal.disconnect(close_old_connections)
    yield
    for signal in (request_started, request_finished):
        signal.connect(close_old_connections)


@pytest.fixture
def officer(program, settings, keep_the_test_connection):
    """Task force A's finance officer, on an active award with cash, an obligation and a
    drawdown request: the records the generated requests name."""
    settings.ALLOWED_HOSTS = ["localhost"]
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_read": "100000/min", "api_write": "100000/min"},
    }
    activate(program)
    drawdown = draw(program, "1000.00")
    entry = post(program, "obligation", "400.00")
    return Officer(
        headers={"Authorization": bearer(program.officer_a)["HTTP_AUTHORIZATION"]},
        path_parameters={
            "award_number": program.award_a.award_number,
            "period_end": "2024-12-31",
            "code": program.task_force_a.code,
            "/api/v1/ledger-entries/{id}/reversal/": entry.pk,
            "/api/v1/drawdown-requests/{id}/": drawdown.pk,
        },
    )


@schema.parametrize()
@settings(
    max_examples=20,
    derandomize=True,
    deadline=None,
    database=None,
    suppress_health_check=list(HealthCheck),
)
def test_the_api_keeps_its_contract(case, officer, program):
    # Requests name the officer's own records, so they reach the code past the 404 (the
    # permission matrix covers other task forces' records).
    chosen = officer.path_parameters
    for name in case.path_parameters or {}:
        value = chosen.get(case.path) if name == "id" else chosen.get(name)
        if case.path == "/api/v1/progress-reports/{id}/":
            report = ProgressReport.objects.first() or file_progress(program)
            value = report.pk
        if value is not None:
            case.path_parameters[name] = value
    case.call_and_validate(
        headers=officer.headers, checks=[not_a_server_error, response_schema_conformance]
    )
