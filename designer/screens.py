"""Generating a screen from a flow's parameters (SPEC §7)."""

from __future__ import annotations

from typing import Any

from designer.models import Flow, FlowKind, Screen

INPUT_TYPES = {
    "string": "text",
    "number": "number",
    "integer": "number",
    "boolean": "checkbox",
    "datetime": "datetime-local",
    "object": "json",
    "list": "json",
}


def generate_fields(parameters: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One typed field per parameter, in parameter order."""
    return [
        {
            "name": p["name"],
            "label": p.get("label") or p["name"].replace("_", " ").capitalize(),
            "type": p.get("type", "string"),
            "input": INPUT_TYPES.get(p.get("type", "string"), "text"),
            "required": bool(p.get("required", False)),
            "help": p.get("description", ""),
        }
        for p in parameters
    ]


def default_buttons(flow: Flow) -> list[dict[str, Any]]:
    """A microflow gets a blocking and a background button; a process only a start button."""
    if flow.kind == FlowKind.PROCESS:
        return [{"id": "start", "label": "Start", "flow": flow.key, "blocking": False}]
    return [
        {"id": "run", "label": "Run now", "flow": flow.key, "blocking": True},
        {"id": "run_async", "label": "Run in background", "flow": flow.key, "blocking": False},
    ]


def generate_screen(flow: Flow, key: str | None = None) -> Screen:
    """Create the flow's screen, or refresh its fields from the parameters if it exists."""
    screen, created = Screen.objects.get_or_create(
        key=key or flow.key,
        defaults={
            "title": flow.name,
            "flow": flow,
            "fields": generate_fields(flow.parameters),
            "buttons": default_buttons(flow),
        },
    )
    if not created:
        screen.fields = generate_fields(flow.parameters)
        screen.save(update_fields=["fields", "updated_at"])
    return screen
