"""Reasons, kept by apps built on the ledger, that stop an award's drawdowns on a day.

The ledger (budgets.ledger) refuses a drawdown while a hold is active. A hold is placed
by a person or by the daily run, so a condition that starts on a given day (a SAM.gov
registration lapsing) would let drawdowns through until that day's run. An app that the
ledger cannot import registers a function `stop(award, today) -> list[str]` in its
AppConfig.ready(); the ledger refuses with every reason they return, beside the holds'.
"""

from collections.abc import Callable
from datetime import date

STOPS: dict[str, Callable[[object, date], list[str]]] = {}


def register(name: str, stop: Callable[[object, date], list[str]]) -> None:
    STOPS[name] = stop


def reasons(award, today: date) -> list[str]:
    return [reason for stop in STOPS.values() for reason in stop(award, today)]
