"""Refusals are audit events (NIST SP 800-53 AU-2, AU-12); "does not exist" is not."""

import json
import logging

from django.test import Client
from django.urls import reverse

from grants.audit import AuditEvent
from tests.accounts.helpers import events


def test_a_403_is_recorded_with_the_path_and_the_person(client, program):
    client.force_login(program.officer_a)
    url = reverse("grants:appropriation_list")
    assert client.get(url).status_code == 403
    [event] = events("accounts.refused")
    assert event.actor == program.officer_a
    assert event.data == {"path": url, "method": "GET", "username": "officer_a"}


def test_a_refused_action_is_recorded(client, program):
    client.force_login(program.officer_a)
    url = reverse("grants:hold_place", args=[program.award_a.award_number])
    assert client.post(url, {"reason": "x"}).status_code == 403
    assert [e.data["method"] for e in events("accounts.refused")] == ["POST"]


def test_a_404_is_not_recorded(client, program):
    client.force_login(program.officer_b)
    url = reverse("grants:award_detail", args=[program.award_a.award_number])
    assert client.get(url).status_code == 404
    assert events("accounts.refused") == []


def test_a_forged_form_is_recorded(program):
    client = Client(enforce_csrf_checks=True)
    client.force_login(program.officer_a)
    assert client.post(reverse("accounts:sign_out_everywhere")).status_code == 403
    [event] = events("accounts.refused")
    assert event.actor == program.officer_a and event.data["method"] == "POST"


def test_an_api_refusal_is_recorded(client, program):
    client.force_login(program.officer_a)
    assert client.get("/api/v1/appropriations/").status_code == 403
    assert events("accounts.refused")[0].data["path"] == "/api/v1/appropriations/"


def test_an_anonymous_refusal_goes_to_the_log_not_the_audit_trail(program, caplog):
    """A forged form with nobody signed in: one structured log line with the request id
    and address, and no audit event (each takes the audit chain's head lock)."""
    client = Client(enforce_csrf_checks=True)
    before = AuditEvent.objects.count()
    with caplog.at_level(logging.WARNING, logger="accounts.refusals"):
        response = client.post(
            reverse("login"),
            {"username": "officer_a", "password": "x"},
            HTTP_X_REQUEST_ID="anon-refusal-01",
            REMOTE_ADDR="192.0.2.77",
        )
    assert response.status_code == 403
    assert AuditEvent.objects.count() == before
    [record] = [r for r in caplog.records if r.name == "accounts.refusals"]
    assert json.loads(record.getMessage()) == {
        "event": "refused",
        "method": "POST",
        "path": reverse("login"),
        "request_id": "anon-refusal-01",
        "source_address": "192.0.2.77",
    }
    assert record.refusal["source_address"] == "192.0.2.77"
