"""`state`: a process wait state; it leaves only through its triggered transitions.

On entering, automatic transitions are tried in order (a condition that holds, or none, then
the automatic default). Otherwise the run stops as 'waiting' with the manual, scheduled and
event transitions in `waiting_for`, until `fire_transition` picks one.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from runtime.engine.compiler import CompiledEdge, CompiledNode
from runtime.engine.errors import NodeFailure
from runtime.engine.registry import PROCESS, NodeType, register
from runtime.engine.routing import holds
from runtime.engine.scope import Outcome, Scope


def _is_datetime(text: str) -> bool:
    """The adapter schedules `at` as given, so it must parse (as datetime parameters do)."""
    try:
        datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
    except ValueError:
        return False
    return True


def describe(edge: CompiledEdge, scope: Scope) -> dict[str, Any]:
    """A transition as `waiting_for` lists it."""
    name = edge.data.get("name") or edge.id
    entry: dict[str, Any] = {
        "name": name,
        "trigger": edge.trigger,
        "label": edge.data.get("label") or name,
        "edge": edge.id,
        "target": edge.target,
    }
    if edge.trigger == "scheduled":
        if edge.at is not None:
            at = scope.evaluate(edge.at)
            if not isinstance(at, str) or not _is_datetime(at):
                raise NodeFailure("expression", f"{edge.at.field}: must give an RFC 3339 datetime")
            entry["at"] = at
        else:
            entry["after_s"] = edge.data.get("after_s")
    elif edge.trigger == "event":
        entry["event"] = edge.data.get("event")
    return entry


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    waiting: list[dict[str, Any]] = []
    fallback: CompiledEdge | None = None
    for edge in node.transitions:
        if edge.trigger != "automatic":
            waiting.append(describe(edge, scope))
        elif edge.default:
            fallback = fallback or edge
        elif edge.condition is None or holds(edge.condition, scope):
            return Outcome(edge=edge)
    if fallback is not None:
        return Outcome(edge=fallback)
    if not waiting:
        raise NodeFailure("route", f"state {node.id!r} has no transition it can wait for")
    return Outcome(wait=waiting, output={"waiting_for": waiting})


register(
    NodeType(
        type="state",
        label="State",
        category="process",
        icon="pause-circle",
        description="A wait state for people, timers and events; leaves through its transitions.",
        kinds=PROCESS,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "properties": {
                "label": {"type": "string", "maxLength": 200},
                "screen": {"type": "string", "maxLength": 100},
                "assignee": {"type": "string", "maxLength": 200},
                "group": {"type": "string", "maxLength": 200},
            },
        },
        run=run,
        transitions=True,
        allows_error_edge=False,
        output_ports=(
            {
                "name": "manual",
                "kind": "transition",
                "edge": {"trigger": "manual"},
                "fields": ["name", "label"],
            },
            {
                "name": "automatic",
                "kind": "transition",
                "edge": {"trigger": "automatic"},
                "fields": ["condition", "default"],
            },
            {
                "name": "scheduled",
                "kind": "transition",
                "edge": {"trigger": "scheduled"},
                "fields": ["after_s", "at"],
            },
            {
                "name": "event",
                "kind": "transition",
                "edge": {"trigger": "event"},
                "fields": ["event"],
            },
        ),
    )
)
