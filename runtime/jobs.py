"""RQ jobs: the worker side of async executions."""

from __future__ import annotations

import threading
import uuid

import django_rq
from django.db import close_old_connections
from rq import Queue

QUEUE = "default"

_queue: Queue | None = None
_queue_lock = threading.Lock()


def queue() -> Queue:
    """The run queue, made once per process: `django_rq.get_queue` builds a new Redis client,
    so a new TCP connection and handshake, on every call, which every async start paid.
    (redis-py's pool is thread-safe and reconnects in a forked child.)"""
    global _queue
    if _queue is None:
        with _queue_lock:
            if _queue is None:
                _queue = django_rq.get_queue(QUEUE)
    return _queue


def enqueue_run(execution_id: uuid.UUID) -> None:
    queue().enqueue(run_execution, str(execution_id), result_ttl=0)


def run_execution(execution_id: str) -> None:
    """Run (or resume) one execution. Claiming is a compare-and-set, so duplicates are no-ops."""
    from runtime.executions import run_queued

    close_old_connections()
    try:
        run_queued(execution_id)
    finally:
        close_old_connections()
