"""Process flows around the engine's wait states: recording each wait with its timers, and
leaving it by exactly one transition.

Leaving a wait is a compare-and-set under the execution's row lock: the execution must still be
waiting in the same stay (`event_seq`) for that transition. Whoever loses gets a 409
`TransitionRefused`, so people, timers and events can race for one state and exactly one wins.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from runtime import engine, notify, timer_jobs
from runtime.documents import execution_document
from runtime.engine.transitions import NotWaiting, fire_transition
from runtime.errors import ServiceError
from runtime.executions import compiled_for, enqueue
from runtime.models import Execution, Mode, Status, Step, Timer, TimerStatus, Wait


class TransitionRefused(ServiceError):
    """A transition that cannot fire."""


def due_at(entry: dict[str, Any], entered_at: datetime) -> datetime:
    """When a scheduled transition fires: `at` as the engine evaluated it, else `after_s`
    after the state was entered. A datetime without a zone is taken as UTC."""
    if entry.get("at"):
        at = datetime.fromisoformat(str(entry["at"]).upper().replace("Z", "+00:00"))
        return at if at.tzinfo else at.replace(tzinfo=UTC)
    return entered_at + timedelta(seconds=float(entry.get("after_s") or 0))


def _entered_at(execution: Execution) -> datetime:
    """The state step's start, so a wait armed late (by the reconciler) keeps its schedule."""
    started = (
        Step.objects.filter(execution=execution, seq=execution.event_seq)
        .values_list("started_at", flat=True)
        .first()
    )
    return started or timezone.now()


def _record_wait(execution: Execution) -> tuple[Wait, list[Timer]]:
    """The current stay's row and its timers, created once; the caller holds the row lock."""
    wait = Wait.objects.filter(execution=execution, seq=execution.event_seq).first()
    if wait is not None:
        return wait, []
    node = compiled_for(execution.version_id).nodes.get(execution.current_node)
    config = node.config if node is not None else {}
    entered = _entered_at(execution)
    wait = Wait.objects.create(
        execution=execution,
        seq=execution.event_seq,
        node_id=execution.current_node,
        label=config.get("label", ""),
        screen=config.get("screen", ""),
        assignee=config.get("assignee", ""),
        group=config.get("group", ""),
        is_task=any(e.get("trigger") == "manual" for e in execution.waiting_for),
        entered_at=entered,
    )
    timers = Timer.objects.bulk_create(
        Timer(wait=wait, transition=entry["name"], due_at=due_at(entry, entered))
        for entry in execution.waiting_for
        if entry.get("trigger") == "scheduled"
    )
    return wait, timers


def arm(execution_id: uuid.UUID | str) -> Wait | None:
    """Record the wait an execution is in and schedule its timers on RQ once committed.
    Idempotent: the worker calls it on entering the wait, the reconciler for waits it missed."""
    with transaction.atomic():
        execution = (
            Execution.objects.select_for_update(of=("self",))
            .select_related("version")
            .filter(pk=execution_id, status=Status.WAITING)
            .first()
        )
        if execution is None:
            return None
        wait, timers = _record_wait(execution)
        if timers:
            transaction.on_commit(lambda: timer_jobs.schedule(timers))
    return wait


def on_waiting(execution: Execution) -> None:
    """Called once an execution has been recorded as waiting; arms its scheduled transitions."""
    arm(execution.pk)


def current_wait(execution: Execution) -> Wait | None:
    """The open stay of a waiting execution (recorded now if the worker has not yet)."""
    if execution.status != Status.WAITING:
        return None
    wait = Wait.objects.filter(execution=execution, seq=execution.event_seq).first()
    return wait or arm(execution.pk)


def _entry(execution: Execution, name: str, triggers: Iterable[str]) -> dict[str, Any] | None:
    for entry in execution.waiting_for or []:
        if entry.get("name") == name and entry.get("trigger") in triggers:
            return entry
    return None


def _not_waiting(execution: Execution, name: str) -> TransitionRefused:
    return TransitionRefused(
        409,
        "not_waiting",
        f"the execution is not waiting for {name!r}",
        {
            "status": execution.status,
            "waiting_for": [e.get("name") for e in execution.waiting_for or []],
        },
    )


def fire(
    execution_id: uuid.UUID | str,
    name: str,
    *,
    triggers: Iterable[str],
    payload: dict[str, Any] | None = None,
    user: AbstractBaseUser | None = None,
    seq: int | None = None,
    enqueue_run: bool = True,
) -> Execution:
    """Leave the current wait through the transition `name` (of one of `triggers`), exactly
    once. `seq` pins the stay the caller means (a timer armed for an earlier stay never fires
    a later one). The execution becomes pending and, with `enqueue_run`, goes to a worker."""
    now = timezone.now()
    with transaction.atomic():
        execution = (
            Execution.objects.select_for_update(of=("self",)).filter(pk=execution_id).first()
        )
        if execution is None:
            raise TransitionRefused(404, "not_found", f"no execution {execution_id}")
        entry = _entry(execution, name, tuple(triggers))
        same_stay = seq is None or seq == execution.event_seq
        if execution.status != Status.WAITING or entry is None or not same_stay:
            raise _not_waiting(execution, name)
        wait, _ = _record_wait(execution)
        state = engine.ExecutionState.from_json(execution.state)
        try:
            state = fire_transition(compiled_for(execution.version_id), state, name, payload)
        except engine.NodeFailure as exc:
            raise TransitionRefused(400, "invalid_input", exc.message) from exc
        except NotWaiting as exc:
            raise TransitionRefused(409, "not_waiting", str(exc)) from exc
        fields: dict[str, Any] = {
            "status": Status.PENDING,
            "mode": Mode.ASYNC,
            "state": state.to_json(),
            "waiting_for": [],
            "current_node": state.next_node or "",
        }
        moved = Execution.objects.filter(
            pk=execution.pk, status=Status.WAITING, event_seq=execution.event_seq
        ).update(**fields)
        if not moved:
            raise _not_waiting(execution, name)
        for field, value in fields.items():
            setattr(execution, field, value)
        Wait.objects.filter(pk=wait.pk).update(
            left_at=now,
            transition=name,
            trigger=entry["trigger"],
            payload=payload or {},
            fired_by=user if user is not None and user.is_authenticated else None,
        )
        _close_timers(wait, name if entry["trigger"] == "scheduled" else None, now)
        transaction.on_commit(lambda: _announce(execution, entry, enqueue_run))
    return execution


def _close_timers(wait: Wait, fired: str | None, now: datetime) -> None:
    """The fired timer (if a timer won) is marked fired; the others are disarmed and their
    scheduled jobs dropped from Redis once committed."""
    armed = wait.timers.filter(status=TimerStatus.ARMED)
    disarmed = [
        pk for pk, transition in armed.values_list("pk", "transition") if transition != fired
    ]
    if fired is not None:
        armed.filter(transition=fired).update(status=TimerStatus.FIRED, closed_at=now)
    Timer.objects.filter(pk__in=disarmed).update(status=TimerStatus.DISARMED, closed_at=now)
    if disarmed:
        transaction.on_commit(lambda: timer_jobs.unschedule(disarmed))


def _announce(execution: Execution, entry: dict[str, Any], enqueue_run: bool) -> None:
    if enqueue_run:
        enqueue(execution.pk)
    notify.publish(
        execution.pk,
        {
            "type": "execution.transition",
            "seq": execution.event_seq + 1,
            "transition": {k: entry.get(k) for k in ("name", "trigger", "label")},
            "execution": execution_document(execution),
        },
    )
