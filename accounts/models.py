"""What the account-security controls keep about a person beyond Django's user."""

from django.conf import settings
from django.db import models


class AccountSecurity(models.Model):
    """One row per person who has used "Sign out everywhere" (absent means epoch 0).

    Every session remembers the epoch it was signed in under; raising the epoch ends
    every session signed in before, wherever it is, without reading the session table.
    """

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="account_security"
    )
    session_epoch = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = "account security"
        verbose_name_plural = "account security"

    def __str__(self) -> str:
        return f"{self.user} (session epoch {self.session_epoch})"
