"""A service's refusal shown where it belongs on the form that asked for it."""

from django.core.exceptions import ValidationError


def add_service_errors(form, error: ValidationError, extra: dict[str, list] | None = None) -> None:
    """Show a service's refusal on the form field it names, or above the form.

    Keys the form lacks but `extra` has (such as "funding" or "lines") go to those lists,
    so the page can show them next to the section they concern.
    """
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, errors in error.message_dict.items():
        if field in form.fields:
            form.add_error(field, errors)
        elif extra is not None and field in extra:
            extra[field].extend(errors)
        else:
            form.add_error(None, errors)
