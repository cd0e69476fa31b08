"""The test suite's settings, named in pyproject.toml so that plain `pytest`, an editor's
test runner and `make test` run alike: the development settings (a fixed key, no HTTPS
redirect), whatever DJANGO_DEBUG the shell has. The production contract is tested apart,
in a fresh interpreter (tests/test_settings_contract.py)."""

import os

os.environ["DJANGO_DEBUG"] = "1"

from config.settings import *  # noqa: E402, F403
