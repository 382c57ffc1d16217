"""designer.sqlite: write transactions wait their turn at a lock instead of in SQLite's busy
handler, across threads and processes, and the turn is always given back; its cursor rewrites
placeholders as Django's does."""

from __future__ import annotations

import subprocess
import sys
import threading
import time
from typing import Any

import pytest
from django.db import connection, transaction

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite only"),
]


def write(name: str) -> None:
    from django.contrib.auth.models import Group

    Group.objects.create(name=name)


def test_a_second_writer_thread_waits_for_the_first_to_commit() -> None:
    from django.contrib.auth.models import Group

    order: list[str] = []
    inside = threading.Event()

    def first() -> None:
        with transaction.atomic():
            write("first")
            inside.set()
            time.sleep(0.3)
            order.append("first commits")
        connection.close()

    def second() -> None:
        inside.wait()
        with transaction.atomic():
            order.append("second begins")
            write("second")
        connection.close()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)
    assert order == ["first commits", "second begins"]
    assert Group.objects.filter(name__in=["first", "second"]).count() == 2


def test_the_turn_is_given_back_after_a_rollback() -> None:
    from designer.sqlite.base import gate_for

    with pytest.raises(RuntimeError), transaction.atomic():
        write("rolled back")
        raise RuntimeError("boom")
    gate = gate_for(str(connection.settings_dict["NAME"]))
    assert gate.lock.acquire(timeout=1)  # free again
    gate.lock.release()


def test_another_process_holding_the_turn_is_waited_for_not_failed(settings: Any) -> None:
    """A 0.1 s SQLite timeout would fail this write with 'database is locked' while the other
    process holds its transaction for 1 s; the file lock makes it wait instead."""
    from django.contrib.auth.models import Group

    from tests.conftest import _child_env

    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            "import django, sys, time; django.setup()\n"
            "from django.db import transaction\n"
            "from django.contrib.auth.models import Group\n"
            "with transaction.atomic():\n"
            "    Group.objects.create(name='holder')\n"
            "    print('holding', flush=True)\n"
            "    time.sleep(1.0)\n",
        ],
        env=_child_env(),
        stdout=subprocess.PIPE,
        text=True,
    )
    assert holder.stdout is not None and holder.stdout.readline().strip() == "holding"
    connection.close()
    connection.settings_dict["OPTIONS"]["timeout"] = 0.1
    try:
        began = time.monotonic()
        with transaction.atomic():
            write("waiter")
        waited = time.monotonic() - began
    finally:
        connection.close()
        connection.settings_dict["OPTIONS"]["timeout"] = 30
    assert holder.wait(10) == 0
    assert waited > 0.5
    assert set(Group.objects.values_list("name", flat=True)) >= {"holder", "waiter"}


def test_placeholders_are_rewritten_once_per_statement_and_literal_percents_kept() -> None:
    from designer.sqlite.base import _qmark

    query = "SELECT '100%%', %s, %s"
    before = _qmark.cache_info()
    for n in range(3):
        with connection.cursor() as cursor:
            cursor.execute(query, [n, "x"])
            assert cursor.fetchone() == ("100%", n, "x")
    after = _qmark.cache_info()
    assert after.misses - before.misses <= 1
    assert after.hits - before.hits >= 2
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s + %(b)s", {"a": 2, "b": 3})  # pyformat still works
        assert cursor.fetchone() == (5,)
