"""The execution websocket (SPEC §6): a snapshot on connect, then live events."""

from __future__ import annotations

import uuid
from typing import Any

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from runtime.access import can_see
from runtime.documents import execution_document, step_document
from runtime.models import Execution
from runtime.notify import group_name


@database_sync_to_async
def _snapshot(execution_id: uuid.UUID) -> dict[str, Any]:
    execution = Execution.objects.get(pk=execution_id)
    return {
        "type": "execution.snapshot",
        "seq": execution.event_seq,
        "execution": execution_document(execution),
        "steps": [step_document(s) for s in execution.steps.order_by("seq")],
    }


@database_sync_to_async
def _allowed(user: Any, execution_id: uuid.UUID) -> bool:
    execution = Execution.objects.filter(pk=execution_id).first()
    return execution is not None and can_see(user, execution)


class ExecutionConsumer(AsyncJsonWebsocketConsumer):
    """Subscribes before taking the snapshot, so no event falls between the two."""

    async def connect(self) -> None:
        try:
            self.execution_id = uuid.UUID(self.scope["url_route"]["kwargs"]["execution_id"])
        except ValueError:
            await self.close(code=4404)
            return
        if not await _allowed(self.scope.get("user"), self.execution_id):
            await self.close(code=4403)
            return
        self.group = group_name(self.execution_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_json(await _snapshot(self.execution_id))

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content: Any, **kwargs: Any) -> None:
        """A client that saw a gap asks for a fresh snapshot with {"type": "resync"}."""
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_json(await _snapshot(self.execution_id))

    async def execution_events(self, event: dict[str, Any]) -> None:
        """One channel message carries a run's events in order; each is its own frame."""
        for payload in event["payloads"]:
            await self.send_json(payload)
