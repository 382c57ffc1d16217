"""Pushing events: in order, batched into bounded channel messages, through the real layer."""

from __future__ import annotations

import asyncio
import uuid

from channels.layers import get_channel_layer

from runtime import notify


def test_consecutive_events_share_a_message_up_to_the_bound() -> None:
    a, b = "execution.a", "execution.b"
    batch = [(a, [{"n": 1}, {"n": 2}]), (a, [{"n": 3}]), (b, [{"n": 4}]), (a, [{"n": 5}])]
    assert notify._merged(batch) == [
        (a, [{"n": 1}, {"n": 2}, {"n": 3}]),
        (b, [{"n": 4}]),
        (a, [{"n": 5}]),
    ]
    many = notify._merged([(a, [{"n": n} for n in range(450)])])
    assert [len(events) for _, events in many] == [200, 200, 50]


def test_a_subscriber_receives_every_event_in_order() -> None:
    execution_id = uuid.uuid4()
    events = [{"type": "execution.step", "seq": n} for n in range(1, 451)]

    async def scenario() -> list[int]:
        layer = get_channel_layer()
        channel = await layer.new_channel()
        await layer.group_add(notify.group_name(execution_id), channel)
        notify.publish(execution_id, *events[:300])
        notify.publish(execution_id, *events[300:])
        assert await asyncio.to_thread(notify.flush, 10.0)
        seqs: list[int] = []
        while len(seqs) < len(events):
            message = await asyncio.wait_for(layer.receive(channel), 5)
            assert message["type"] == "execution.events"
            assert len(message["payloads"]) <= notify.EVENTS_PER_MESSAGE
            seqs.extend(event["seq"] for event in message["payloads"])
        await layer.group_discard(notify.group_name(execution_id), channel)
        return seqs

    assert asyncio.run(scenario()) == list(range(1, 451))
