"""Helpers for the process tests: approvers in their groups, API calls in-process (with burst
workers) or on a live server (polling the database for what its worker does), and the audit."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from typing import Any

import httpx

LOW_RISK = {"applicant": "Ada", "amount": 1000, "income": 5000}
HIGH_RISK = {"applicant": "Grace", "amount": 50000, "income": 4000}


def drop_timer_jobs() -> None:
    """Unschedule the test's timers from Redis, so no later test's worker meets their jobs."""
    from runtime import timer_jobs
    from runtime.models import Timer

    timer_jobs.unschedule(Timer.objects.values_list("pk", flat=True))


def approver(django_user_model: Any, username: str, *groups: str, **extra: Any) -> Any:
    from django.contrib.auth.models import Group

    user = django_user_model.objects.create_user(username, password=f"pw-{username}", **extra)
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in groups))
    return user


def post(client: Any, path: str, body: Any = None) -> Any:
    """A JSON POST with Django's test client (in-process, through the real API)."""
    return client.post(path, json.dumps(body or {}), content_type="application/json")


def start_loan(client: Any, data: dict[str, Any], business_key: str | None = None) -> str:
    body: dict[str, Any] = {"input": data}
    if business_key:
        body["business_key"] = business_key
    response = post(client, "/api/flows/loan-application/executions", body)
    assert response.status_code == 202, response.content
    return response.json()["id"]


def fire(client: Any, execution_id: str, name: str, data: Any = None, sync: bool = False) -> Any:
    path = f"/api/executions/{execution_id}/transitions/{name}" + ("?sync=true" if sync else "")
    return post(client, path, {"input": data or {}})


def fresh(execution_id: str) -> Any:
    from runtime.models import Execution

    return Execution.objects.get(pk=execution_id)


def transitions(execution_id: str) -> list[tuple[str, str, str]]:
    """The audit of an execution's waits: (state, transition, trigger), in order."""
    from runtime.models import Wait

    return list(
        Wait.objects.filter(execution_id=execution_id)
        .order_by("seq")
        .values_list("node_id", "transition", "trigger")
    )


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"not reached in {timeout} s: {what}")


def reaches(execution_id: str, status: str, node: str | None = None, timeout: float = 20) -> Any:
    """Poll until a live worker has brought the execution to `status` (waiting in `node`, when
    given); a waiting one also until its wait is recorded, which follows by a moment."""

    def check() -> Any:
        execution = fresh(execution_id)
        if execution.status != status or (node is not None and execution.current_node != node):
            return None
        if status == "waiting" and not execution.waits.filter(seq=execution.event_seq).exists():
            return None
        return execution

    return wait_for(check, timeout, f"{execution_id} {status} {node or ''}")


def live_client(server_url: str, user: Any) -> httpx.Client:
    """An API client of a live server, authenticated with a bearer token of `user`."""
    from designer.api.auth import issue_token

    token = issue_token(user, "process tests")
    return httpx.Client(
        base_url=server_url, headers={"Authorization": f"Bearer {token}"}, timeout=30
    )
