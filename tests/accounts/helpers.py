from django.urls import reverse

from grants.models import AuditEvent
from tests.factories import PASSWORD

WRONG = "not-the-password-at-all"


def sign_in(client, username: str, password: str = PASSWORD, *, address: str = "127.0.0.1"):
    return client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )


def signed_in(client) -> bool:
    return "_auth_user_id" in client.session


def actions(prefix: str = "accounts.") -> list[str]:
    return list(
        AuditEvent.objects.filter(action__startswith=prefix)
        .order_by("pk")
        .values_list("action", flat=True)
    )


def events(action: str):
    return list(AuditEvent.objects.filter(action=action).order_by("pk"))
