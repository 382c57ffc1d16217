"""Leaving a wait state: the adapter fires one of the transitions in `waiting_for`."""

from __future__ import annotations

from typing import Any

from runtime.engine.compiler import CompiledFlow
from runtime.engine.state import ExecutionState
from runtime.engine.values import check_size


class NotWaiting(ValueError):
    """The execution is not waiting for that transition."""


def fire_transition(
    flow: CompiledFlow,
    state: ExecutionState,
    name: str,
    payload: dict[str, Any] | None = None,
) -> ExecutionState:
    """Take the waiting transition called `name` (or the event called `name`).

    The payload is stored in the variable `transition` as
    `{"name", "trigger", "input"}` so later expressions can read it; then call `run` again.
    """
    if state.status != "waiting":
        raise NotWaiting(f"the execution is {state.status}, not waiting")
    for entry in state.waiting_for:
        if entry.get("name") == name or (
            entry.get("trigger") == "event" and entry.get("event") == name
        ):
            break
    else:
        raise NotWaiting(f"the execution is not waiting for {name!r}")
    target = entry.get("target")
    if target not in flow.nodes:
        raise NotWaiting(f"transition {name!r} leads nowhere in this version")
    value = {"name": entry["name"], "trigger": entry.get("trigger"), "input": payload or {}}
    check_size("transition", value)
    state.variables["transition"] = value
    state.next_node = target
    state.status = "running"
    state.waiting_for = []
    return state
