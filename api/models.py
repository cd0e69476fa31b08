"""Personal API tokens: a person's key for the JSON API, acting as that person."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A token acts with exactly its user's roles and task-force scope. Only a SHA-256
    hash of the secret is kept: the secret itself is shown once, when the token is made."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens"
    )
    name = models.CharField(max_length=100, help_text="What the token is for, such as a system.")
    prefix = models.CharField(
        max_length=16, help_text="The secret's first characters, to tell tokens apart."
    )
    secret_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_on = models.DateField(help_text="The last day the token works.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()

    @property
    def status(self) -> str:
        if self.revoked_at is not None:
            return "Revoked"
        return "Expired" if self.is_expired else "Active"


class IdempotencyRecord(models.Model):
    """What a write with an `Idempotency-Key` asked for and what it made. Written in the
    same transaction as the service call, so a key is taken exactly when its record is:
    a retry compares its request's hash with this one (same: the first result again;
    other: a 409), and two requests racing with one key meet on this table's unique key
    rather than deep in a service."""

    key = models.UUIDField(unique=True, help_text="The services' key (writes.service_key).")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    request_hash = models.CharField(
        max_length=64, help_text="SHA-256 of the canonical JSON of the path and body."
    )
    record_type = models.CharField(max_length=40, help_text="What the write made.")
    record_id = models.BigIntegerField(null=True, help_text="The id of what the write made.")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.record_type} {self.record_id} ({self.key})"
