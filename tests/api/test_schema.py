"""The OpenAPI schema builds with no warnings, and the docs come from our own files."""

import yaml
from django.core.management import call_command
from django.urls import reverse


def test_the_schema_builds_valid_with_warnings_as_errors(tmp_path, db):
    target = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))
    schema = yaml.safe_load(target.read_text())
    assert schema["openapi"] == "3.1.0"
    amount = schema["components"]["schemas"]["LedgerEntry"]["properties"]["amount"]
    assert amount["type"] == "string" and amount["format"] == "decimal"
    assert set(schema["components"]["securitySchemes"]) == {"apiToken", "cookieAuth"}


def test_the_schema_is_served(client, db):
    response = client.get(reverse("api:schema"), HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/v1/awards/{award_number}/ledger-entries/" in response.json()["paths"]


def test_the_docs_load_swagger_ui_from_the_apps_own_static_files(client, db):
    page = client.get(reverse("api:docs")).content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in page
    assert "cdn" not in page.lower()
