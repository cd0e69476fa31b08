"""Errors as RFC 9457 problem details (application/problem+json): type, title, status,
detail, and for bad input `errors`, the messages by field."""

from http import HTTPStatus

from rest_framework import exceptions
from rest_framework.views import exception_handler

PROBLEM_JSON = "application/problem+json"


def problem_exception_handler(exc, context):
    response = exception_handler(exc, context)
    if response is None:
        return None  # not an API error: Django's 500 handling
    status = response.status_code
    body = {"type": "about:blank", "title": HTTPStatus(status).phrase, "status": status}
    if isinstance(exc, exceptions.Throttled):
        # DRF has set Retry-After (whole seconds); say it in words too.
        body["detail"] = (
            "This token has sent more requests than its rate limit allows; "
            f"try again in {exc.wait} seconds."
        )
    elif isinstance(exc, exceptions.ValidationError):
        body["detail"] = "The request has invalid parameters; see errors."
        body["errors"] = response.data if isinstance(response.data, dict) else {"": response.data}
    else:
        body["detail"] = (
            str(response.data.get("detail", ""))
            if isinstance(response.data, dict)
            else str(response.data)
        )
    response.data = body
    response.content_type = PROBLEM_JSON
    return response
