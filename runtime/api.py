"""Execution endpoints (SPEC §5). Starting is async so the event loop stays free: the engine
runs in a worker thread, never on the loop and never on Django's single sync thread."""

from __future__ import annotations

import uuid
from typing import Any, Literal

from django.http import HttpRequest, JsonResponse
from ninja import Field, Router, Schema

from designer.api.errors import ApiError
from designer.api.threads import in_thread
from runtime import executions
from runtime.access import can_see, visible_executions
from runtime.documents import execution_document, step_document
from runtime.models import FINAL_STATUSES, Execution, Status
from runtime.step_rows import steps_of

router = Router(tags=["executions"])

PAGE_SIZE = 50


class SourceIn(Schema):
    type: Literal["api", "screen", "designer"] = "api"
    screen: str | None = None
    button: str | None = None


class StartIn(Schema):
    input: dict[str, Any] = Field(default_factory=dict)
    business_key: str | None = Field(default=None, max_length=200)
    callback_url: str = ""
    version: int | None = None
    source: SourceIn | None = None


def answer(execution: Execution) -> JsonResponse:
    """200 when the caller has the result (finished or waiting), else 202 with Location."""
    document = execution_document(execution)
    if execution.status in FINAL_STATUSES or execution.status == Status.WAITING:
        return JsonResponse(document, status=200)
    response = JsonResponse(document, status=202)
    response["Location"] = f"/api/executions/{execution.pk}"
    return response


def _start(
    request: StartIn, flow_key: str, sync: bool, user: Any, idempotency_key: str | None
) -> Execution:
    source = request.source.dict(exclude_none=True) if request.source else {"type": "api"}
    start = executions.start_sync if sync else executions.create_execution
    execution, _ = start(
        executions.StartRequest(
            flow_key=flow_key,
            input=request.input,
            user=user,
            source=source,
            business_key=request.business_key,
            callback_url=request.callback_url,
            version=request.version,
            idempotency_key=idempotency_key,
        )
    )
    return execution


@router.post("/flows/{key}/executions", response={200: dict, 202: dict})
async def start_execution(
    request: HttpRequest, key: str, body: StartIn, sync: bool = False
) -> JsonResponse:
    """Start a run: `?sync=true` waits for the result (up to SYNC_TIMEOUT_S, then hands off).
    An `Idempotency-Key` header makes repeats return the first execution."""
    idempotency_key = request.headers.get("Idempotency-Key") or None
    if idempotency_key and len(idempotency_key) > 200:
        raise ApiError(400, "invalid_idempotency_key", "Idempotency-Key is longer than 200")
    execution = await in_thread(_start, body, key, sync, request.auth, idempotency_key)
    return answer(execution)


def _visible(user: Any, execution_id: str) -> Execution:
    """The execution, if this user may see it; 404 alike when missing or not theirs."""
    try:
        uuid.UUID(execution_id)
    except ValueError:
        raise ApiError(404, "not_found", f"no execution {execution_id}") from None
    execution = Execution.objects.find(execution_id)
    if execution is None or not can_see(user, execution):
        raise ApiError(404, "not_found", f"no execution {execution_id}")
    return execution


def _steps(user: Any, execution_id: str) -> list[dict[str, Any]]:
    execution = _visible(user, execution_id)
    return [step_document(s) for s in steps_of(execution)]


def _cancel(user: Any, execution_id: str) -> Execution:
    execution = _visible(user, execution_id)
    if not executions.cancel(execution):
        raise ApiError(409, "not_cancellable", f"the execution is {execution.status}")
    return execution


def _retry(user: Any, execution_id: str) -> Execution:
    execution = _visible(user, execution_id)
    if not executions.retry(execution):
        raise ApiError(409, "not_retryable", f"the execution is {execution.status}")
    return execution


@router.get("/executions")
def list_executions(
    request: HttpRequest,
    flow: str | None = None,
    status: str | None = None,
    business_key: str | None = None,
    page: int = 1,
) -> dict:
    query = visible_executions(request.auth)
    if flow:
        query = query.filter(flow_key=flow)
    if status:
        query = query.filter(status=status)
    if business_key:
        query = query.filter(business_key=business_key)
    page = max(page, 1)
    total = query.count()
    rows = query.order_by("-created_at")[(page - 1) * PAGE_SIZE : page * PAGE_SIZE]
    return {
        "items": [execution_document(e) for e in rows],
        "count": total,
        "page": page,
        "pages": max(1, -(-total // PAGE_SIZE)),
    }


@router.get("/executions/{execution_id}")
async def get_execution(request: HttpRequest, execution_id: str) -> dict:
    return execution_document(await in_thread(_visible, request.auth, execution_id))


@router.get("/executions/{execution_id}/steps")
async def get_steps(request: HttpRequest, execution_id: str) -> dict:
    return {"items": await in_thread(_steps, request.auth, execution_id)}


@router.post("/executions/{execution_id}/cancel")
async def cancel_execution(request: HttpRequest, execution_id: str) -> dict:
    return execution_document(await in_thread(_cancel, request.auth, execution_id))


@router.post("/executions/{execution_id}/retry", response={202: dict})
async def retry_execution(request: HttpRequest, execution_id: str) -> JsonResponse:
    """Resume a failed or timed-out execution from its failed node, as a new attempt."""
    return answer(await in_thread(_retry, request.auth, execution_id))
