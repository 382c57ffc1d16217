"""RQ jobs: the worker side of async executions."""

from __future__ import annotations

import uuid

import django_rq
from django.db import close_old_connections

from runtime import notify

QUEUE = "default"


def enqueue_run(execution_id: uuid.UUID) -> None:
    django_rq.get_queue(QUEUE).enqueue(run_execution, str(execution_id), result_ttl=0)


def run_execution(execution_id: str) -> None:
    """Run (or resume) one execution. Claiming is a compare-and-set, so duplicates are no-ops."""
    from runtime.executions import run_queued

    close_old_connections()
    try:
        run_queued(execution_id)
    finally:
        notify.flush()
        close_old_connections()
