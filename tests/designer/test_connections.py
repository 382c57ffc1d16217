"""A connection is pinged before a unit of work only when it sat idle long enough to have
gone stale."""

from __future__ import annotations

import time
from typing import Any

import pytest
from django.db import connection

from designer.connections import HEALTH_CHECK_IDLE_S, fresh_connections

pytestmark = pytest.mark.django_db(transaction=True)


def pings(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = connection.is_usable

    def spy() -> Any:
        calls.append(1)
        return real()

    monkeypatch.setattr(connection, "is_usable", spy)
    return calls


def work() -> None:
    fresh_connections()
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")


def test_back_to_back_work_skips_the_ping_and_idle_work_gets_one(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert connection.health_check_enabled
    work()  # a connection of this test's thread, begun now
    calls = pings(monkeypatch)
    work()
    assert calls == []
    connection.sluice_work_began = time.monotonic() - HEALTH_CHECK_IDLE_S - 1
    work()
    assert calls == [1]
