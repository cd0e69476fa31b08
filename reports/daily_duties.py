"""Duties of apps built on reports that run once a day with the reminders.

An app above reports (which reports cannot import) registers a function
`duty(today) -> list[str]` in its AppConfig.ready(); `manage.py send_reminders` runs them
in the order registered, after its own work, and prints the lines they return.
"""

from collections.abc import Callable
from datetime import date

DUTIES: dict[str, Callable[[date], list[str]]] = {}


def register(name: str, duty: Callable[[date], list[str]]) -> None:
    DUTIES[name] = duty


def run(today: date) -> list[str]:
    return [line for duty in DUTIES.values() for line in duty(today)]
