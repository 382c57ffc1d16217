"""Pushing execution events to websocket subscribers through the channel layer.

The channel layer is at-most-once: every message carries the execution's `seq`, and a client
that sees a gap refetches over HTTP. A failure to push never fails the execution.
"""

from __future__ import annotations

import logging
import uuid
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer

log = logging.getLogger("sluice.notify")


def group_name(execution_id: uuid.UUID | str) -> str:
    return f"execution.{uuid.UUID(str(execution_id)).hex}"


def publish(execution_id: uuid.UUID | str, message: dict[str, Any]) -> None:
    """Send one event to everyone watching the execution; log and go on when Redis is away."""
    layer = get_channel_layer()
    if layer is None:
        return
    try:
        async_to_sync(layer.group_send)(
            group_name(execution_id), {"type": "execution.event", "payload": message}
        )
    except Exception:
        log.warning("could not push %s for %s", message.get("type"), execution_id, exc_info=True)
