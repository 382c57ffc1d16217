"""Start a real Redis-compatible server before Django's settings load, unless REDIS_URL is set.

Loaded with `-p tests.redis_plugin` (pyproject addopts) so it runs before pytest-django
imports the settings, which read REDIS_URL.
"""

from __future__ import annotations

import os

import pytest

_server = None


@pytest.hookimpl(tryfirst=True)
def pytest_load_initial_conftests(early_config: pytest.Config) -> None:
    global _server
    if os.environ.get("REDIS_URL"):
        return
    from runtime.redis_server import EmbeddedRedis

    _server = EmbeddedRedis().start()
    os.environ["REDIS_URL"] = _server.url
    os.environ["SLUICE_TEST_OWN_REDIS"] = "1"


def pytest_unconfigure(config: pytest.Config) -> None:
    if _server is not None:
        _server.stop()
