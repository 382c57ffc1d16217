"""Pushing execution events to websocket subscribers through the channel layer.

The channel layer is at-most-once: every message carries the execution's `seq`, and a client
that sees a gap refetches over HTTP. A failure to push never fails the execution.

Why this is not `async_to_sync(layer.group_send)`: outside an event loop (an RQ worker) that
started a thread, an event loop and a Redis connection for every message, and even on a warm
loop a group_send is 2-4 Redis round trips and ~150-400 µs of CPU; with ~30 messages per
execution, pushing was most of a worker's time. Here `publish` only appends to a queue; one
event loop on a daemon thread per process sends whatever has queued up, in the order
published, through the layer's public `group_send` (its Redis pool stays warm on that loop).
A job does not wait for its pushes; `flush()` waits until all published so far has gone,
and runs at interpreter exit so a worker that stops (or a burst worker that drains its
queue) hands its last events to Redis first.
"""

from __future__ import annotations

import asyncio
import atexit
import collections
import contextlib
import json
import logging
import os
import threading
import uuid
from typing import Any

from channels.layers import get_channel_layer

log = logging.getLogger("sluice.notify")

MAX_QUEUED = 10_000
EVENTS_PER_MESSAGE = 200  # a long pure loop's batch can hold thousands of steps
LINGER_S = 0.001


def group_name(execution_id: uuid.UUID | str) -> str:
    return f"execution.{uuid.UUID(str(execution_id)).hex}"


Batch = list[tuple[str, list[dict[str, Any]]]]


def _merged(batch: Batch) -> Batch:
    """Consecutive events for one execution travel as one channel message (a group_send is
    2-4 Redis round trips, whatever it carries), of at most EVENTS_PER_MESSAGE events."""
    merged: Batch = []
    for group, messages in batch:
        for event in messages:
            if merged and merged[-1][0] == group and len(merged[-1][1]) < EVENTS_PER_MESSAGE:
                merged[-1][1].append(event)
            else:
                merged.append((group, [event]))
    return merged


async def _send_batch(layer: Any, batch: Batch) -> None:
    """Through the layer's public group_send, in the order published; the consumer sends each
    event as its own websocket frame."""
    for group, messages in _merged(batch):
        await layer.group_send(group, {"type": "execution.events", "payloads": messages})


class _Sender:
    """A daemon thread with its own event loop that sends the queue in batches, in order."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.idle = threading.Condition(self.lock)
        self.queue: collections.deque[tuple[str, list[dict[str, Any]]]] = collections.deque()
        self.unsent = 0
        self.sleeping = False
        self.loop = asyncio.new_event_loop()
        self.wake = asyncio.Event()
        started = threading.Event()
        self.thread = threading.Thread(
            target=self._run, args=(started,), name="sluice-notify", daemon=True
        )
        self.thread.start()
        started.wait()

    def _run(self, started: threading.Event) -> None:
        asyncio.set_event_loop(self.loop)
        self.loop.call_soon(started.set)
        self.loop.run_until_complete(self._drain())

    async def _drain(self) -> None:
        while True:
            with self.lock:
                batch = list(self.queue)
                self.queue.clear()
            if batch:
                await self._send(batch)
                continue
            # A run publishes every few hundred µs: wait a moment for more rather than have
            # each message wake the loop through its self-pipe (flush() cuts this short).
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self.wake.wait(), LINGER_S)
            self.wake.clear()
            with self.lock:
                if self.queue:
                    continue
                self.sleeping = True
            await self.wake.wait()
            self.wake.clear()

    async def _send(self, batch: Batch) -> None:
        try:
            layer = get_channel_layer()
            if layer is not None:
                await _send_batch(layer, batch)
        except Exception:
            log.warning("could not push %d event(s)", len(batch), exc_info=True)
        with self.lock:
            self.unsent -= len(batch)
            if self.unsent == 0:
                self.idle.notify_all()

    def submit(self, group: str, messages: list[dict[str, Any]]) -> None:
        with self.lock:
            if self.unsent >= MAX_QUEUED:
                log.warning("push queue full; dropping %d event(s) for %s", len(messages), group)
                return
            self.queue.append((group, messages))
            self.unsent += 1
            wake = self.sleeping
            self.sleeping = False
        if wake:
            self.loop.call_soon_threadsafe(self.wake.set)

    def flush(self, timeout: float) -> bool:
        with self.lock:
            if self.unsent == 0:
                return True
        self.loop.call_soon_threadsafe(self.wake.set)
        with self.lock:
            return self.idle.wait_for(lambda: self.unsent == 0, timeout)


_sender: _Sender | None = None
_lock = threading.Lock()


def _get_sender() -> _Sender:
    global _sender
    if _sender is None:
        with _lock:
            if _sender is None:
                _sender = _Sender()
                atexit.register(flush)
    return _sender


def _forget_sender() -> None:
    """A forked child (RQ's forking worker) has no sender thread: it starts its own."""
    global _sender, _lock
    _sender = None
    _lock = threading.Lock()


os.register_at_fork(after_in_child=_forget_sender)


def publish(execution_id: uuid.UUID | str, *messages: dict[str, Any]) -> None:
    """Queue events, in order, for everyone watching the execution; never blocks on Redis. The
    messages are copied now (a JSON round trip) so later changes by the engine don't leak in."""
    if not messages or get_channel_layer() is None:
        return
    try:
        _get_sender().submit(group_name(execution_id), json.loads(json.dumps(messages)))
    except Exception:
        log.warning("could not push %d event(s) for %s", len(messages), execution_id, exc_info=True)


def flush(timeout: float = 5.0) -> bool:
    """Wait until every event published so far has been handed to Redis (or given up on)."""
    return _sender is None or _sender.flush(timeout)
