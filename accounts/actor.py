"""The request being served, for signal handlers that audit changes made through
screens that do not pass the acting person along (the Django admin)."""

from contextlib import contextmanager
from contextvars import ContextVar

_request: ContextVar = ContextVar("accounts_request", default=None)


@contextmanager
def serving(request):
    reset = _request.set(request)
    try:
        yield
    finally:
        _request.reset(reset)


def current_actor():
    """The signed-in person making the current request, or None (a command, a job)."""
    request = _request.get()
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None
