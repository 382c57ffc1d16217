"""SQLite's write-ahead log is checkpointed by the reconciler loop, not inside requests."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db(transaction=True)


def test_checkpoint_copies_the_log_into_the_database(published_flow: Any) -> None:
    from runtime.maintenance import checkpoint_wal

    published_flow()  # some committed writes
    copied = checkpoint_wal()
    if connection.vendor != "sqlite":
        assert copied is None
        return
    assert copied is not None and copied > 0
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_autocheckpoint")
        assert cursor.fetchone()[0] == 10_000  # requests leave it to the loop
