from django.contrib.auth.models import User
from django.urls import reverse

from grants.models import AuditEvent
from tests.factories import PASSWORD
from tests.second_factor import verify_session

WRONG = "not-the-password-at-all"


def sign_in(
    client,
    username: str,
    password: str = PASSWORD,
    *,
    address: str = "127.0.0.1",
    second_factor: bool = True,
):
    """The login page's form; once the password is right, the second factor is given
    (tests/second_factor.py) unless `second_factor=False`."""
    response = client.post(
        reverse("login"), {"username": username, "password": password}, REMOTE_ADDR=address
    )
    if second_factor and signed_in(client):
        verify_session(client.session, User.objects.get(username=username))
    return response


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
