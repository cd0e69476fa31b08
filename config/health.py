"""Health endpoints for the load balancer and the process manager.

`/healthz`: the process is alive and answers (no database, no session, nothing else),
so a restart is only called for when the process itself is stuck.
`/readyz`: the process can serve people: every check in settings.READINESS_CHECKS
passes (the database answers; a worker's heartbeat joins the list once background
work exists). A failing check makes it 503, and the load balancer sends people to
another app server.

Both answer from a middleware ahead of every other one: no host check (a probe may use
the server's address), no HTTPS redirect (the probe speaks to the app server directly),
no session or sign-in.
"""

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import connections
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.module_loading import import_string

logger = logging.getLogger(__name__)

HEALTHZ = "/healthz"
READYZ = "/readyz"


def database() -> None:
    """The default database accepts a connection and answers a query."""
    with connections["default"].cursor() as cursor:
        cursor.execute("SELECT 1")
        cursor.fetchone()


def readiness_checks() -> list[tuple[str, Callable[[], None]]]:
    """(name, check) for each dotted path in settings.READINESS_CHECKS: a check returns
    when it passes and raises when it does not."""
    return [(path.rsplit(".", 1)[-1], import_string(path)) for path in settings.READINESS_CHECKS]


def readiness() -> tuple[bool, dict[str, str]]:
    results, ready = {}, True
    for name, check in readiness_checks():
        try:
            check()
        except Exception:
            # The reason goes to the log, not to whoever asks: it may name hosts or users.
            logger.exception("readiness check %s failed", name)
            results[name], ready = "failing", False
        else:
            results[name] = "ok"
    return ready, results


def _answer(body: dict, status: int) -> HttpResponse:
    response = JsonResponse(body, status=status)
    response["Cache-Control"] = "no-store"
    return response


class HealthCheckMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.path_info == HEALTHZ:
            return _answer({"status": "ok"}, 200)
        if request.path_info == READYZ:
            ready, checks = readiness()
            return _answer(
                {"status": "ok" if ready else "failing", "checks": checks}, 200 if ready else 503
            )
        return self.get_response(request)
