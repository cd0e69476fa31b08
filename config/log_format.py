"""Log records as JSON lines, one object per line, for a log collector to parse.

Each line carries the request id of the request it was written in (the id
config.middleware.RequestContextMiddleware gives every request, echoed in the response's
X-Request-ID and stored on every audit event written during it), so a log line, a proxy's
log and an audit event can be matched. Gunicorn's access log goes through the same
formatter (gunicorn.conf.py): its lines carry the method, path, status, duration and the
response's X-Request-ID.
"""

import json
import logging
from datetime import UTC, datetime

from grants.request_context import current

# What the gunicorn access log's atoms become (gunicorn.glogging.Logger.atoms).
ACCESS_FIELDS = {
    "m": "method",
    "U": "path",
    "s": "status",
    "B": "bytes",
    "h": "remote_address",
    "a": "user_agent",
}


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        # Django's request log lines (django.request) are written after the request's
        # context has closed, but carry the request itself.
        request = getattr(record, "request", None)
        request_id = getattr(request, "request_id", None) or current().request_id
        if record.name == "gunicorn.access" and isinstance(record.args, dict):
            atoms = record.args
            for atom, name in ACCESS_FIELDS.items():
                if atoms.get(atom) not in (None, "-"):
                    line[name] = atoms[atom]
            if atoms.get("M") is not None:
                line["duration_ms"] = atoms["M"]
            echoed = atoms.get("{x-request-id}o")
            if not request_id and echoed not in (None, "-"):
                request_id = echoed
        if request_id:
            line["request_id"] = request_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        return json.dumps(line, default=str)
