"""Housekeeping the reconciler loop does besides reconciling."""

from __future__ import annotations

from django.db import connection


def checkpoint_wal() -> int | None:
    """SQLite only: copy the write-ahead log into the database file here, off the request path.

    SQLite otherwise checkpoints inside whichever commit crosses the threshold, fsync
    included: on this machine that made a sync run's p99 7.5 ms against a p50 of 3 ms. The
    connections' own threshold is raised (settings) and stays as a backstop. PASSIVE: never
    waits for, or blocks, readers and writers. Returns the frames copied (None elsewhere)."""
    if connection.vendor != "sqlite":
        return None
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA wal_checkpoint(PASSIVE)")
        _busy, _frames, copied = cursor.fetchone()
    return int(copied)
