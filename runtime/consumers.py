"""The execution websocket (SPEC §6): a snapshot on connect, then live events."""

from __future__ import annotations

import uuid
from typing import Any

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from designer.api.threads import in_thread
from runtime.access import can_see
from runtime.documents import execution_document, step_document
from runtime.models import Execution
from runtime.notify import group_name
from runtime.step_rows import steps_of


def _snapshot(user: Any, execution_id: uuid.UUID) -> dict[str, Any] | None:
    """The execution and its steps so far; None when it is missing or not this user's."""
    execution = Execution.objects.find(execution_id)
    if execution is None or not can_see(user, execution):
        return None
    return {
        "type": "execution.snapshot",
        "seq": execution.event_seq,
        "execution": execution_document(execution),
        "steps": [step_document(s) for s in steps_of(execution)],
    }


class ExecutionConsumer(AsyncJsonWebsocketConsumer):
    """Subscribes before taking the snapshot, so no event falls between the two; the access
    check and the snapshot are one trip to the database (a connect used to take three)."""

    async def connect(self) -> None:
        try:
            self.execution_id = uuid.UUID(self.scope["url_route"]["kwargs"]["execution_id"])
        except ValueError:
            await self.close(code=4404)
            return
        group = group_name(self.execution_id)
        await self.channel_layer.group_add(group, self.channel_name)
        snapshot = await in_thread(_snapshot, self.scope.get("user"), self.execution_id)
        if snapshot is None:
            await self.channel_layer.group_discard(group, self.channel_name)
            await self.close(code=4403)
            return
        self.group = group
        await self.accept()
        await self.send_json(snapshot)

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """A client that saw a gap asks for a fresh snapshot with {"type": "resync"}."""
        if isinstance(content, dict) and content.get("type") == "resync":
            snapshot = await in_thread(_snapshot, self.scope.get("user"), self.execution_id)
            if snapshot is not None:
                await self.send_json(snapshot)

    async def execution_events(self, event: dict[str, Any]) -> None:
        """One channel message carries a run's events in order; each is its own frame."""
        for payload in event["payloads"]:
            await self.send_json(payload)
