"""Gunicorn's settings for serving the app (`make serve`, docs/deploy.md).

Every value can be changed from the environment (listed in .env.example)."""

import multiprocessing
import os

wsgi_app = "config.wsgi:application"
bind = os.environ.get("GUNICORN_BIND") or f"0.0.0.0:{os.environ.get('PORT') or '8000'}"

# Synchronous workers, two per core and one more: pages are database-bound, and a worker
# waiting on PostgreSQL leaves the core to another.
workers = int(os.environ.get("GUNICORN_WORKERS") or multiprocessing.cpu_count() * 2 + 1)
# A request still running after this many seconds has its worker killed and replaced.
# Kept above the database's statement timeout (DJANGO_DB_STATEMENT_TIMEOUT_MS), so a slow
# query is stopped by PostgreSQL and answered with an error page first.
timeout = int(os.environ.get("GUNICORN_TIMEOUT") or "60")
# On a restart or deploy (SIGTERM, SIGHUP), requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GUNICORN_GRACEFUL_TIMEOUT") or "30")
# Behind a proxy that keeps connections open to the app server.
keepalive = int(os.environ.get("GUNICORN_KEEPALIVE") or "5")
# A worker is replaced after this many requests (spread apart), so no slow leak grows.
max_requests = int(os.environ.get("GUNICORN_MAX_REQUESTS") or "2000")
max_requests_jitter = max_requests // 10
# Load the app before forking: a broken configuration stops the start, not each worker.
preload_app = True

# Access and error logs on stdout as JSON lines, like the app's own (config/log_format.py).
accesslog = "-"
errorlog = "-"
loglevel = os.environ.get("DJANGO_LOG_LEVEL", "INFO").lower()
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "config.log_format.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "formatter": "json",
            "stream": "ext://sys.stdout",
        }
    },
    "root": {"handlers": ["console"], "level": loglevel.upper()},
    "loggers": {
        "gunicorn.error": {"handlers": ["console"], "level": loglevel.upper(), "propagate": False},
        "gunicorn.access": {"handlers": ["console"], "level": "INFO", "propagate": False},
    },
}
