"""Calling the JSON API as a persona, with a personal API token."""

from datetime import date, timedelta

from api.tokens import token_create


def bearer(user) -> dict:
    """The header of a fresh token of `user`, for `client.get(url, **bearer(user))`."""
    secret = token_create(
        user=user, name="Test system", expires_on=date.today() + timedelta(days=30)
    ).secret
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
