"""Daily duties of the apps built on this one (oversight's overdue corrective actions),
run at the end of send_reminders. Each is a function of the day returning the lines the
command prints; they are registered from their AppConfig.ready, so this app never
imports them."""

from collections.abc import Callable
from datetime import date

DUTIES: list[Callable[[date], list[str]]] = []


def register(duty: Callable[[date], list[str]]) -> None:
    if duty not in DUTIES:
        DUTIES.append(duty)


def run_all(today: date) -> list[str]:
    return [line for duty in DUTIES for line in duty(today)]
