"""Which request an action came from: its id and the address it came from.

config.middleware.RequestContextMiddleware sets them for every request, pages and API
alike; `audit_record` copies them onto each event, so an event can be matched with the web
server's and the proxy's logs. Outside a request (management commands) both are blank.
"""

import ipaddress
import re
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    request_id: str = ""
    source_address: str | None = None


NO_REQUEST = RequestContext()
_current: ContextVar[RequestContext | None] = ContextVar("request_context", default=None)

# An incoming X-Request-ID is kept only when it could not smuggle anything into a log line.
REQUEST_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._:-]{7,63}")


def current() -> RequestContext:
    return _current.get() or NO_REQUEST


@contextmanager
def request_context(request_id: str, source_address: str | None):
    reset = _current.set(RequestContext(request_id, source_address))
    try:
        yield
    finally:
        _current.reset(reset)


def request_id_from(header: str | None) -> str:
    """The caller's X-Request-ID when it is a plain token of 8 to 64 characters (a UUID
    is), else a new UUID."""
    if header and REQUEST_ID.fullmatch(header):
        return header
    return str(uuid.uuid4())


def _address(value: str | None) -> str | None:
    try:
        return str(ipaddress.ip_address((value or "").strip()))
    except ValueError:
        return None


def source_address(meta: dict, trusted_proxies: int) -> str | None:
    """The client's address. With no trusted proxy it is REMOTE_ADDR; behind N proxies
    that each append to X-Forwarded-For, it is the N-th entry from the right: entries
    further left were written by the client and prove nothing."""
    remote = _address(meta.get("REMOTE_ADDR"))
    if trusted_proxies <= 0:
        return remote
    forwarded = [part for part in meta.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
    if len(forwarded) < trusted_proxies:
        return remote
    return _address(forwarded[-trusted_proxies]) or remote
