"""Process endpoints (SPEC §5): fire a manual transition, send an event. Async views that run
the database work in a worker thread, as the execution endpoints do."""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AbstractBaseUser
from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from designer.api.errors import ApiError
from designer.api.threads import in_thread
from runtime import engine, events, executions, processes
from runtime.access import can_see
from runtime.api import answer
from runtime.assignments import may_act
from runtime.engine.values import check_size
from runtime.models import Execution

router = Router(tags=["processes"])

MAX_NAME = 200


class TransitionIn(Schema):
    input: dict[str, Any] = Field(default_factory=dict)


class EventIn(Schema):
    execution: str | None = None
    business_key: str | None = Field(default=None, max_length=MAX_NAME)
    payload: dict[str, Any] = Field(default_factory=dict)


def _check_payload(field: str, value: dict[str, Any]) -> None:
    """The engine's size caps, answered as a 400 before anything is locked."""
    try:
        check_size(field, value)
    except engine.NodeFailure as exc:
        raise ApiError(400, "invalid_input", exc.message, {"field": field}) from exc


def _execution_id(value: str) -> str:
    try:
        return str(uuid.UUID(value))
    except ValueError:
        raise ApiError(404, "not_found", f"no execution {value}") from None


def _fire_manual(
    user: AbstractBaseUser, execution_id: str, name: str, data: dict[str, Any], sync: bool
) -> Execution:
    execution = Execution.objects.find(execution_id)
    if execution is None:
        raise ApiError(404, "not_found", f"no execution {execution_id}")
    open_wait = processes.current_wait(execution)
    # Once the process moved on, whoever could act on its last state learns it with a 409.
    wait = open_wait or execution.waits.order_by("-seq").first()
    allowed = (wait is not None and may_act(user, wait)) or (
        open_wait is None and can_see(user, execution)
    )
    if not allowed:
        raise ApiError(403, "forbidden", "this task is assigned to someone else")
    execution = processes.fire(
        execution.pk,
        name,
        triggers=("manual",),
        payload=data,
        user=user,
        seq=open_wait.seq if open_wait is not None else None,
        enqueue_run=not sync,
    )
    if sync:
        execution = executions.run_inline(execution)
    return execution


@router.post("/executions/{execution_id}/transitions/{name}", response={200: dict, 202: dict})
async def fire_transition(
    request: HttpRequest, execution_id: str, name: str, body: TransitionIn, sync: bool = False
) -> JsonResponse:
    """Fire a manual transition of the state the process waits in. `?sync=true` answers once
    the process reaches its next wait state or its end (bounded like a sync run)."""
    execution_id = _execution_id(execution_id)
    _check_payload("input", body.input)
    execution = await in_thread(_fire_manual, request.auth, execution_id, name, body.input, sync)
    return answer(execution)


def _deliver(user: AbstractBaseUser, event: str, body: EventIn) -> dict[str, Any]:
    record = events.deliver(
        event,
        execution_id=body.execution,
        business_key=body.business_key,
        payload=body.payload,
        user=user,
    )
    return {
        "id": record.pk,
        "event": event,
        "delivered": record.delivered,
        "unmatched": record.unmatched,
    }


@router.post("/events/{event}", response={202: dict})
async def send_event(request: HttpRequest, event: str, body: EventIn) -> JsonResponse:
    """Deliver an event to the executions waiting for it, correlated by execution id or
    business key; one that reaches nothing answers `unmatched: true` and stays recorded."""
    if len(event) > MAX_NAME:
        raise ApiError(400, "invalid_event", f"an event name has at most {MAX_NAME} characters")
    if not body.execution and not body.business_key:
        raise ApiError(400, "missing_correlation", "give an execution id or a business key")
    if body.execution:
        try:
            body.execution = str(uuid.UUID(body.execution))
        except ValueError:
            raise ApiError(
                400, "invalid_execution", f"{body.execution!r} is not an execution id"
            ) from None
    _check_payload("payload", body.payload)
    answer = await in_thread(_deliver, request.auth, event, body)
    return JsonResponse(answer, status=202)
