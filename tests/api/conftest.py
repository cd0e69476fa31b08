import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def fresh_rate_limits():
    """Rate-limit counts live in the cache: each test starts with none used."""
    cache.clear()
    yield
    cache.clear()
