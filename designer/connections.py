"""Database connections checked before a unit of work (an API call's thread hop, a job).

With CONN_HEALTH_CHECKS, Django pings a kept connection (`SELECT 1` on PostgreSQL) before its
first query after every `close_old_connections`: one more round trip on every API call and
every job. Here a connection that began a unit of work less than HEALTH_CHECK_IDLE_S ago is
taken as it is; one that sat idle longer, where a restarted server or a dropped socket hides,
is pinged first. A query that fails on a dead connection marks it (Django's
`errors_occurred`), and the next unit of work replaces it.
"""

from __future__ import annotations

import time

from django.db import close_old_connections, connections

HEALTH_CHECK_IDLE_S = 5.0


def fresh_connections() -> None:
    close_old_connections()
    now = time.monotonic()
    for connection in connections.all(initialized_only=True):
        last = getattr(connection, "sluice_work_began", None)
        recent = last is not None and now - last < HEALTH_CHECK_IDLE_S
        if connection.connection is not None and recent:
            connection.health_check_done = True
        connection.sluice_work_began = now
