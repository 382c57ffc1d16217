"""Lease renewal for the executions a worker process is running.

A running execution carries `lease_expires_at`; the reconciler re-enqueues one whose lease ran
out, so a long `delay` or HTTP call must not look like a dead worker. One daemon thread per
process renews the leases of every execution it holds (a thread per run cost ~0.7 ms to start
and join), and stops renewing the moment the process dies.
"""

from __future__ import annotations

import logging
import os
import threading
import time
import uuid
from datetime import timedelta

from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

from runtime.models import Execution, Status

log = logging.getLogger("sluice.leases")


class _Keeper:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.held: dict[uuid.UUID, int] = {}
        self.thread = threading.Thread(target=self._run, name="sluice-leases", daemon=True)
        self.thread.start()

    def hold(self, execution_id: uuid.UUID) -> None:
        with self.lock:
            self.held[execution_id] = self.held.get(execution_id, 0) + 1

    def release(self, execution_id: uuid.UUID) -> None:
        with self.lock:
            count = self.held.pop(execution_id, 0) - 1
            if count > 0:
                self.held[execution_id] = count

    def _run(self) -> None:
        interval = settings.SLUICE_LEASE_S / 3
        while True:
            time.sleep(interval)
            with self.lock:
                ids = list(self.held)
            if not ids:
                continue
            try:
                close_old_connections()
                Execution.objects.filter(pk__in=ids, status=Status.RUNNING).update(
                    lease_expires_at=timezone.now() + timedelta(seconds=settings.SLUICE_LEASE_S)
                )
            except Exception:
                log.warning("could not renew %d lease(s)", len(ids), exc_info=True)


_keeper: _Keeper | None = None
_lock = threading.Lock()


def _get() -> _Keeper:
    global _keeper
    if _keeper is None:
        with _lock:
            if _keeper is None:
                _keeper = _Keeper()
    return _keeper


def _forget() -> None:
    """A forked child has no renewal thread: it starts its own when it first holds a lease."""
    global _keeper, _lock
    _keeper = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget)


class held:
    """`with leases.held(execution_id):` keeps the lease renewed while the block runs."""

    def __init__(self, execution_id: uuid.UUID) -> None:
        self.execution_id = execution_id

    def __enter__(self) -> None:
        _get().hold(self.execution_id)

    def __exit__(self, *exc: object) -> None:
        _get().release(self.execution_id)
