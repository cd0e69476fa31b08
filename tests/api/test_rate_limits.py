"""Per-token rate limits: past the rate, a 429 problem with Retry-After; reads and writes
are counted apart, and each token has its own count."""

import uuid

import pytest
from django.urls import reverse

from tests.api.helpers import bearer
from tests.api.test_api_writes import OBLIGATION, ledger_url, problem
from tests.budgets.ledger_helpers import activate


@pytest.fixture
def tiny_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"api_read": "3/min", "api_write": "1/min"},
    }


def test_the_fourth_read_in_a_minute_is_a_429_with_retry_after(client, program, tiny_rates):
    headers = bearer(program.officer_a)
    url = reverse("api:awards")
    assert [client.get(url, **headers).status_code for _ in range(3)] == [200] * 3
    response = client.get(url, **headers)
    body = problem(response, 429)
    assert 1 <= int(response["Retry-After"]) <= 60
    assert body["title"] == "Too Many Requests"
    assert body["detail"] == (
        "This token has sent more requests than its rate limit allows; "
        f"try again in {response['Retry-After']} seconds."
    )
    # Another token of the same person has its own count.
    assert client.get(url, **bearer(program.officer_a)).status_code == 200


def test_writes_are_counted_apart_from_reads(client, program, tiny_rates):
    activate(program)
    headers = bearer(program.officer_a)
    for _ in range(3):
        client.get(reverse("api:awards"), **headers)

    def write():
        return client.post(
            ledger_url(program.award_a),
            OBLIGATION,
            content_type="application/json",
            HTTP_IDEMPOTENCY_KEY=str(uuid.uuid4()),
            **headers,
        )

    assert write().status_code == 201
    response = write()
    problem(response, 429)
    assert "Retry-After" in response


def test_a_session_is_limited_per_person(client, program, tiny_rates):
    client.force_login(program.pm)
    url = reverse("api:awards")
    assert [client.get(url).status_code for _ in range(4)] == [200, 200, 200, 429]
