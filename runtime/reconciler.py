"""The safety net that makes Redis and workers allowed to lose things.

Pending executions that no worker claimed (Redis was down at enqueue, or the job was lost) and
running ones whose lease ran out (their worker died) are put back on the queue. Claiming is a
compare-and-set, so an execution that is enqueued twice still runs once.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import Q
from django.utils import timezone

from runtime import webhooks
from runtime.executions import announce_finished, enqueue
from runtime.models import Execution, Mode, Status
from runtime.timers import sweep as process_sweep

log = logging.getLogger("sluice.reconciler")

PENDING_GRACE_S = 15.0
RUNNING_DEADLINE_GRACE_S = 30.0


def time_out_overdue(now: datetime) -> int:
    """Executions past their deadline end as `timeout`. A running one gets a grace period to
    stop at its own next node boundary; after that its final write will find the status set."""
    overdue = Execution.objects.filter(
        Q(status__in=(Status.PENDING, Status.WAITING), deadline_at__lt=now)
        | Q(
            status=Status.RUNNING,
            deadline_at__lt=now - timedelta(seconds=RUNNING_DEADLINE_GRACE_S),
        )
    )
    count = 0
    for execution in overdue:
        updated = Execution.objects.filter(pk=execution.pk, status=execution.status).update(
            status=Status.TIMEOUT,
            finished_at=now,
            lease_expires_at=None,
            error={
                "node": execution.current_node or None,
                "type": "timeout",
                "message": "the execution passed its deadline",
                "retryable": True,
            },
        )
        if updated:
            execution.refresh_from_db()
            announce_finished(execution)
            count += 1
    return count


def reconcile_once(pending_grace_s: float = PENDING_GRACE_S) -> dict[str, int]:
    now = timezone.now()
    timed_out = time_out_overdue(now)
    expired = list(
        Execution.objects.filter(status=Status.RUNNING, lease_expires_at__lt=now).values_list(
            "pk", flat=True
        )
    )
    resumed = 0
    for pk in expired:
        resumed += Execution.objects.filter(
            pk=pk, status=Status.RUNNING, lease_expires_at__lt=now
        ).update(status=Status.PENDING, mode=Mode.ASYNC, lease_expires_at=None)
    stale = Execution.objects.filter(
        Q(pk__in=expired)
        | Q(created_at__lt=now - timedelta(seconds=pending_grace_s), lease_expires_at__isnull=True),
        status=Status.PENDING,
        mode=Mode.ASYNC,
    ).values_list("pk", flat=True)
    requeued = 0
    for pk in stale:
        enqueue(pk)
        requeued += 1
    process_sweep(now)
    webhooks_owed = webhooks.sweep(now)
    if resumed or requeued or webhooks_owed:
        log.info(
            "reconciler: %s leases expired, %s executions re-enqueued, %s webhooks rescheduled",
            resumed,
            requeued,
            webhooks_owed,
        )
    return {
        "expired": resumed,
        "requeued": requeued,
        "timed_out": timed_out,
        "webhooks": webhooks_owed,
    }
