"""Personal API tokens: made on the person's own page and shown once, kept only as a
hash, refused once revoked or expired, revocable only by their owner, audited."""

import re
from datetime import UTC, date, datetime, timedelta

from django.urls import reverse
from django.utils import timezone

from api.models import ApiToken
from api.problems import PROBLEM_JSON
from api.tokens import hash_secret, token_create
from grants.audit import AuditEvent

TOKEN = re.compile(r'value="(icac_[A-Za-z0-9_-]+)"')


def make_on_the_page(client, user, name="County ledger sync", days=90):
    client.force_login(user)
    return client.post(
        reverse("api_tokens:list"),
        {"name": name, "expires_on": (timezone.localdate() + timedelta(days=days)).isoformat()},
    )


def awards(client, secret):
    return client.get(reverse("api:awards"), HTTP_AUTHORIZATION=f"Bearer {secret}")


def test_a_token_is_shown_once_and_kept_only_as_its_hash(client, program):
    page = make_on_the_page(client, program.officer_a).content.decode()
    [secret] = TOKEN.findall(page)
    token = ApiToken.objects.get(user=program.officer_a)
    assert token.secret_hash == hash_secret(secret)
    assert secret not in {token.name, token.prefix, token.secret_hash}
    assert secret.startswith(token.prefix) and len(token.prefix) == 13
    again = client.get(reverse("api_tokens:list")).content.decode()
    assert secret not in again
    assert "County ledger sync" in again and f"{token.prefix}…" in again
    assert awards(client, secret).status_code == 200
    token.refresh_from_db()
    assert token.last_used_at is not None
    event = AuditEvent.objects.get(action="api_token.created")
    assert event.actor == program.officer_a and event.data["name"] == "County ledger sync"


def test_a_token_acts_with_its_users_scope(client, program):
    secret = token_create(
        user=program.officer_b, name="x", expires_on=date.today() + timedelta(days=1)
    ).secret
    numbers = [a["award_number"] for a in awards(client, secret).json()["results"]]
    assert numbers == [program.award_b.award_number]


def test_an_expiry_more_than_a_year_away_is_refused_naming_by_how_much(client, program):
    response = make_on_the_page(client, program.officer_a, days=370)
    latest = timezone.localdate() + timedelta(days=365)
    assert (
        f"A token lasts at most a year: the latest expiry date is {latest:%m/%d/%Y}, 5 days before"
        in response.content.decode()
    )
    assert f"{latest:%Y-%m-%d}" not in response.content.decode()
    assert not ApiToken.objects.exists()
    past = make_on_the_page(client, program.officer_a, days=0).content.decode()
    assert f"The expiry date must be after today ({timezone.localdate():%m/%d/%Y})." in past
    assert not ApiToken.objects.exists()


def test_the_tokens_page_shows_dates_as_mm_dd_yyyy(client, program):
    made = token_create(user=program.officer_a, name="x", expires_on=date.today() + timedelta(1))
    # 13:19 UTC is 08:19 in America/New_York (EST) on these days.
    ApiToken.objects.filter(pk=made.token.pk).update(
        created_at=datetime(2026, 11, 30, 13, 19, tzinfo=UTC),
        expires_on=date(2027, 11, 29),
        last_used_at=datetime(2026, 12, 1, 13, 19, tzinfo=UTC),
        revoked_at=datetime(2026, 12, 2, 13, 19, tzinfo=UTC),
    )
    client.force_login(program.officer_a)
    page = client.get(reverse("api_tokens:list")).content.decode()
    assert '<td data-label="Created">11/30/2026</td>' in page
    assert '<td data-label="Expires after">11/29/2027</td>' in page
    assert '<td data-label="Last used">12/01/2026 08:19</td>' in page
    assert "Revoked 12/02/2026</td>" in page
    for iso in ("2026-11-30", "2027-11-29", "2026-12-01", "2026-12-02"):
        assert iso not in page


def test_a_revoked_token_gets_a_401_problem(client, program):
    [secret] = TOKEN.findall(make_on_the_page(client, program.officer_a).content.decode())
    token = ApiToken.objects.get()
    response = client.post(reverse("api_tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    refused = awards(client, secret)
    assert refused.status_code == 401
    assert refused["Content-Type"] == PROBLEM_JSON
    assert refused["WWW-Authenticate"] == 'Bearer realm="api"'
    body = refused.json()
    assert body["title"] == "Unauthorized" and body["status"] == 401
    assert body["detail"] == (
        f"The API token {token.prefix}… was revoked on {timezone.now():%Y-%m-%d}."
    )
    assert "Revoked" in client.get(reverse("api_tokens:list")).content.decode()
    assert (
        AuditEvent.objects.filter(action="api_token.revoked", actor=program.officer_a).count() == 1
    )


def test_an_expired_token_gets_a_401_problem(client, program):
    made = token_create(user=program.pm, name="x", expires_on=date.today() + timedelta(days=1))
    assert awards(client, made.secret).status_code == 200
    yesterday = timezone.localdate() - timedelta(days=1)
    ApiToken.objects.filter(pk=made.token.pk).update(expires_on=yesterday)
    refused = awards(client, made.secret)
    assert refused.status_code == 401
    assert refused.json()["detail"] == (
        f"The API token {made.token.prefix}… expired after {yesterday:%Y-%m-%d}."
    )


def test_an_unknown_or_malformed_token_gets_a_401_problem(client, program):
    unknown = awards(client, "icac_" + "A" * 43)
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == "This API token is not known."
    malformed = awards(client, "not-a-token")
    assert malformed.status_code == 401
    assert "Bearer icac_" in malformed.json()["detail"]


def test_another_persons_token_cannot_be_revoked(client, program):
    made = token_create(
        user=program.officer_a, name="x", expires_on=date.today() + timedelta(days=30)
    )
    client.force_login(program.officer_b)
    assert client.post(reverse("api_tokens:revoke", args=[made.token.pk])).status_code == 404
    made.token.refresh_from_db()
    assert made.token.revoked_at is None
    assert awards(client, made.secret).status_code == 200
    assert not AuditEvent.objects.filter(action="api_token.revoked").exists()


def test_the_header_links_to_the_api_tokens_page(client, program):
    client.force_login(program.auditor)
    assert reverse("api_tokens:list") in client.get(reverse("home")).content.decode()
