"""The task list (`/tasks/`) and a task's page: the state's screen, the process's data, and the
state's manual transitions as process buttons. Thin: firing goes through the API."""

from __future__ import annotations

import json
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.csrf import ensure_csrf_cookie

from designer.models import Screen
from runtime.assignments import may_act, open_tasks
from runtime.models import Status, Wait

HIDDEN_VARIABLES = frozenset({"transition"})


def _shown(value: Any) -> str:
    return value if isinstance(value, str) else json.dumps(value, default=str)


@login_required
def task_list(request: HttpRequest) -> HttpResponse:
    return render(request, "tasks/list.html", {"tasks": open_tasks(request.user)})


def _fields(screen: Screen | None, variables: dict[str, Any]) -> list[dict[str, Any]]:
    """The screen's fields, prefilled from the process variables of the same name."""
    if screen is None:
        return []
    return [
        {**field, "value": _shown(variables[field["name"]]) if field["name"] in variables else ""}
        for field in screen.fields
    ]


@login_required
@ensure_csrf_cookie
def task_page(request: HttpRequest, wait_id: int) -> HttpResponse:
    wait = get_object_or_404(Wait.objects.select_related("execution", "fired_by"), pk=wait_id)
    if not may_act(request.user, wait):
        raise Http404("no such task")
    execution = wait.execution
    is_open = (
        wait.left_at is None
        and execution.status == Status.WAITING
        and execution.event_seq == wait.seq
    )
    variables = (execution.state or {}).get("variables", {})
    buttons = [e for e in execution.waiting_for if e.get("trigger") == "manual"] if is_open else []
    screen = Screen.objects.filter(key=wait.screen).first() if wait.screen else None
    return render(
        request,
        "tasks/task.html",
        {
            "wait": wait,
            "execution": execution,
            "is_open": is_open,
            "screen": screen,
            "fields": _fields(screen, variables),
            "data": [(k, _shown(v)) for k, v in variables.items() if k not in HIDDEN_VARIABLES],
            "buttons": buttons,
            "config": {"execution": str(execution.pk), "wait": wait.pk},
        },
    )
