"""Making, finding and revoking personal API tokens.

A token is `icac_` followed by a random 32-byte secret (URL-safe base64). The database
keeps its SHA-256 hash only, so a copy of the database gives no working token; a random
secret of that length needs no slow hash.
"""

import hashlib
import secrets
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from api.models import ApiToken
from grants.audit import audit_record

TOKEN_PREFIX = "icac_"
# The longest a token may live: a year, so a forgotten token stops working on its own.
MAX_LIFETIME = timedelta(days=365)
SHOWN_CHARACTERS = 8


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@dataclass(frozen=True)
class NewToken:
    token: ApiToken
    secret: str  # shown to the person once, never stored


def expiry_problem(expires_on: date, *, today: date) -> str:
    """Why `expires_on` cannot be a token's last day, or "" when it can."""
    latest = today + MAX_LIFETIME
    if expires_on <= today:
        return f"The expiry date must be after today ({today:%m/%d/%Y})."
    if expires_on > latest:
        days = (expires_on - latest).days
        return (
            f"A token lasts at most a year: the latest expiry date is {latest:%m/%d/%Y}, "
            f"{days} day{'s' if days != 1 else ''} before {expires_on:%m/%d/%Y}."
        )
    return ""


def token_create(*, user, name: str, expires_on: date) -> NewToken:
    problem = expiry_problem(expires_on, today=timezone.localdate())
    if problem:
        raise ValidationError({"expires_on": problem})
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user,
            name=name,
            prefix=secret[: len(TOKEN_PREFIX) + SHOWN_CHARACTERS],
            secret_hash=hash_secret(secret),
            expires_on=expires_on,
        )
        audit_record(
            actor=user,
            action="api_token.created",
            obj=token,
            data={"name": name, "prefix": token.prefix, "expires_on": expires_on.isoformat()},
        )
    return NewToken(token, secret)


def token_revoke(*, user, token_id: int) -> ApiToken:
    """Revoke one of the person's own tokens. Another person's token does not exist for
    them (ApiToken.DoesNotExist)."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token_id, user=user)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit_record(
                actor=user,
                action="api_token.revoked",
                obj=token,
                data={"name": token.name, "prefix": token.prefix},
            )
    return token


def tokens_for_user(*, user):
    return ApiToken.objects.filter(user=user)


def users_active_since(moment: datetime):
    """The users whose token was used at or after `moment` (kept to the minute: the
    last use is written at most once a minute), as accounts.activity counts them."""
    return ApiToken.objects.filter(last_used_at__gte=moment).values("user_id")
