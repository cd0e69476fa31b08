"""What counts as using an account, besides signing in to the pages.

The daily run disables accounts nobody used for the rule's number of days
(accounts.services.disable_unused_accounts). A person may use their account only through
the API with a token, which never signs in: the apps above this one that hold such
uses register a source here (the api app: each token's last use), so this app counts them
without importing those apps.
"""

from collections.abc import Callable
from datetime import datetime

from django.db.models import QuerySet

# Each source answers: the ids of the users who used their account at or after a moment.
ActivitySource = Callable[[datetime], QuerySet]
_sources: list[ActivitySource] = []


def register_activity(source: ActivitySource) -> ActivitySource:
    """Count `source` as activity (from an AppConfig.ready). Registering twice counts once."""
    if source not in _sources:
        _sources.append(source)
    return source


def active_since(moment: datetime) -> list[QuerySet]:
    """One query of user ids per source, for `.exclude(pk__in=...)`."""
    return [source(moment) for source in _sources]
