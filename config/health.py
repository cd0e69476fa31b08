"""Health endpoints for the load balancer, the process manager and monitoring.

`/healthz`: the process is alive and answers (no database, no session, nothing else),
so a restart is only called for when the process itself is stuck.
`/readyz`: the process can serve people. It runs every check in settings.READINESS_CHECKS
(the database answers; a background worker has beaten recently) and names each one's
state in its body. A failing check makes it 503, and the load balancer sends people to
another app server, except the checks in settings.READINESS_ADVISORY: those are reported
("status": "degraded", with the reason) but answer 200, since pages are served without
them. The worker's heartbeat is advisory by default: a dead worker delays prepared
downloads, but taking every app server out of the load balancer for it would take the
whole site down. `/readyz?worker=1` counts every check, advisory ones too, so a monitor
that only reads status codes can alert on the worker.

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


class NotReady(Exception):
    """A check's failure whose message is safe to show whoever asks: it names no host,
    user or address (other errors' text goes to the log only)."""


def database() -> None:
    """The default database accepts a connection and answers a query."""
    try:
        with connections["default"].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as error:
        raise NotReady("the database did not answer") from error


def worker_heartbeat() -> None:
    """A background worker (`manage.py db_worker`) has beaten within
    WORKER_HEARTBEAT_TIMEOUT seconds on every task queue, so a prepared download asked
    for now is written, whatever its size."""
    from reports.workers import alive_workers, queues_without_a_worker  # an app

    alive = alive_workers()
    if not alive:
        raise NotReady(
            "no background worker has reported in the last "
            f"{settings.WORKER_HEARTBEAT_TIMEOUT} seconds"
        )
    if missing := queues_without_a_worker(alive):
        raise NotReady(
            "no background worker that has reported in the last "
            f"{settings.WORKER_HEARTBEAT_TIMEOUT} seconds takes the queue "
            + ", ".join(f'"{queue}"' for queue in missing)
        )


def readiness_checks() -> list[tuple[str, Callable[[], None]]]:
    """(name, check) for each dotted path in settings.READINESS_CHECKS: a check returns
    when it passes and raises when it does not."""
    return [(path.rsplit(".", 1)[-1], import_string(path)) for path in settings.READINESS_CHECKS]


def readiness(*, every_check: bool = False) -> tuple[int, dict]:
    """(HTTP status, body) of /readyz: each check's "ok" or "failing", each failing
    check's reason; 503 when a check fails that is not advisory (any, with every_check)."""
    results, reasons = {}, {}
    for name, check in readiness_checks():
        try:
            check()
        except Exception as error:
            # The full error goes to the log; whoever asks gets a NotReady's own words
            # only, since another error's text may name hosts or users.
            logger.exception("readiness check %s failed", name)
            results[name] = "failing"
            reasons[name] = (
                str(error) if isinstance(error, NotReady) else "failed; the reason is in the log"
            )
        else:
            results[name] = "ok"
    advisory = set() if every_check else set(settings.READINESS_ADVISORY)
    if not reasons:
        return 200, {"status": "ok", "checks": results}
    if set(reasons) <= advisory:
        return 200, {"status": "degraded", "checks": results, "reasons": reasons}
    return 503, {"status": "failing", "checks": results, "reasons": reasons}


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
            status, body = readiness(every_check=request.GET.get("worker") == "1")
            return _answer(body, status)
        return self.get_response(request)
