"""Events (`POST /api/events/{event}`): correlated to waiting executions by id or business
key, each delivery an exactly-once transition; every event is recorded, matched or not."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AbstractBaseUser

from runtime import processes
from runtime.access import can_see
from runtime.models import Execution, ProcessEvent, Status

SEND_PERMISSION = "runtime.send_event"


def may_send(user: AbstractBaseUser, execution: Execution) -> bool:
    """The starter, an auditor, or an integration account with `runtime.send_event`."""
    return can_see(user, execution) or user.has_perm(SEND_PERMISSION)


def _event_transition(execution: Execution, event: str) -> str | None:
    for entry in execution.waiting_for or []:
        if entry.get("trigger") == "event" and entry.get("event") == event:
            return entry.get("name")
    return None


def deliver(
    event: str,
    *,
    execution_id: str | None,
    business_key: str | None,
    payload: dict[str, Any],
    user: AbstractBaseUser,
) -> ProcessEvent:
    """Fire the event's transition on every matching execution the sender may reach (given
    both an id and a business key, both must match). One that moved on meanwhile is skipped,
    never fired twice."""
    candidates = Execution.objects.filter(status=Status.WAITING)
    if execution_id:
        candidates = candidates.filter(pk=execution_id)
    if business_key:
        candidates = candidates.filter(business_key=business_key)
    delivered: list[str] = []
    for execution in candidates.order_by("created_at"):
        name = _event_transition(execution, event)
        if name is None or not may_send(user, execution):
            continue
        try:
            processes.fire(
                execution.pk,
                name,
                triggers=("event",),
                payload=payload,
                user=user,
                seq=execution.event_seq,
            )
        except processes.TransitionRefused as refused:
            if refused.status != 409:
                raise
            continue
        delivered.append(str(execution.pk))
    return ProcessEvent.objects.create(
        name=event,
        execution_ref=execution_id or "",
        business_key=business_key,
        payload=payload,
        delivered=delivered,
        unmatched=not delivered,
        sent_by=user if user.is_authenticated else None,
    )
