"""The safety net that makes Redis and workers allowed to lose things.

Pending executions that no worker claimed (Redis was down at enqueue, or the job was lost) and
running ones whose lease ran out (their worker died) are put back on the queue. Claiming is a
compare-and-set, so an execution that is enqueued twice still runs once.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.db.models import Q
from django.utils import timezone

from runtime.executions import enqueue
from runtime.models import Execution, Mode, Status

log = logging.getLogger("sluice.reconciler")

PENDING_GRACE_S = 15.0


def reconcile_once(pending_grace_s: float = PENDING_GRACE_S) -> dict[str, int]:
    now = timezone.now()
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
    if resumed or requeued:
        log.info("reconciler: %s leases expired, %s executions re-enqueued", resumed, requeued)
    return {"expired": resumed, "requeued": requeued}
