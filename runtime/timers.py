"""Firing scheduled transitions: from the RQ scheduler's job, and from the reconciler's sweep,
which also fires timers that fell due while Redis, the worker or the scheduler were down."""

from __future__ import annotations

import logging
import uuid
from datetime import datetime

from django.db.models import Exists, OuterRef
from django.utils import timezone

from runtime import processes
from runtime.models import Execution, Status, Timer, TimerStatus, Wait

log = logging.getLogger("sluice.timers")

SWEEP_BATCH = 500


def fire_timer(timer_id: uuid.UUID | str, now: datetime | None = None) -> bool:
    """Fire one armed timer if it is due at `now`; True when this call moved the process on.
    A timer whose wait is already over is disarmed instead."""
    now = now or timezone.now()
    timer = Timer.objects.select_related("wait").filter(pk=timer_id).first()
    if timer is None or timer.status != TimerStatus.ARMED or timer.due_at > now:
        return False
    try:
        processes.fire(
            timer.wait.execution_id,
            timer.transition,
            triggers=("scheduled",),
            payload={"due_at": timer.due_at.isoformat()},
            seq=timer.wait.seq,
        )
    except processes.TransitionRefused:
        Timer.objects.filter(pk=timer.pk, status=TimerStatus.ARMED).update(
            status=TimerStatus.DISARMED, closed_at=now
        )
        return False
    return True


def fire_due_timers(now: datetime | None = None) -> int:
    """Fire every armed timer due at `now` (injectable, so tests can move time forward)."""
    now = now or timezone.now()
    due = Timer.objects.filter(status=TimerStatus.ARMED, due_at__lte=now).values_list(
        "pk", flat=True
    )
    return sum(fire_timer(pk, now) for pk in list(due[:SWEEP_BATCH]))


def arm_missed_waits() -> int:
    """Waiting executions whose wait was never recorded (the worker died in between)."""
    recorded = Wait.objects.filter(execution=OuterRef("pk"), seq=OuterRef("event_seq"))
    missed = Execution.objects.filter(status=Status.WAITING).exclude(Exists(recorded))
    return sum(
        processes.arm(pk) is not None
        for pk in list(missed.values_list("pk", flat=True)[:SWEEP_BATCH])
    )


def sweep(now: datetime | None = None) -> dict[str, int]:
    """The reconciler's part for processes: record missed waits, then fire due timers."""
    result = {"waits_armed": arm_missed_waits(), "timers_fired": fire_due_timers(now)}
    if any(result.values()):
        log.info("process sweep: %s", result)
    return result
