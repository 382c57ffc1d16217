"""The execution websocket with the real channel layer (channels-redis on a real server)."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from channels.testing import WebsocketCommunicator

from tests.conftest import BURST_WORKER

pytestmark = pytest.mark.django_db(transaction=True)


def _start_async(api: Any) -> str:
    response = api.post(
        "/api/flows/loan-quote/executions",
        json.dumps({"input": {"amount": 10}}),
        content_type="application/json",
    )
    return response.json()["id"]


def _communicator(user: Any, execution_id: str) -> WebsocketCommunicator:
    from designer.asgi import application

    communicator = WebsocketCommunicator(
        application, f"/ws/executions/{execution_id}/", headers=[(b"origin", b"http://localhost")]
    )
    communicator.scope["user"] = user
    return communicator


async def _receive_until_finished(communicator: WebsocketCommunicator) -> list[dict]:
    messages = []
    while True:
        message = await communicator.receive_json_from(timeout=10)
        messages.append(message)
        if message["type"] == "execution.finished":
            return messages


def test_snapshot_then_steps_progress_and_finished(
    api: Any, user: Any, published_flow: Any, child_env: dict[str, str]
) -> None:
    """The worker is a separate process, as in production: its pushes cross Redis."""
    published_flow()
    execution_id = _start_async(api)

    async def scenario() -> list[dict]:
        communicator = _communicator(user, execution_id)
        connected, _ = await communicator.connect()
        assert connected
        snapshot = await communicator.receive_json_from(timeout=5)
        assert snapshot["type"] == "execution.snapshot"
        assert snapshot["execution"]["status"] == "pending"
        worker = await asyncio.create_subprocess_exec(*BURST_WORKER, env=child_env)
        messages = await _receive_until_finished(communicator)
        assert await worker.wait() == 0
        await communicator.disconnect()
        return messages

    messages = asyncio.run(scenario())
    types = [m["type"] for m in messages]
    assert "execution.step" in types
    assert "execution.progress" in types
    finished = messages[-1]["execution"]
    assert finished["status"] == "completed"
    assert finished["output"]["total"] == pytest.approx(10.5)
    # Steps arrive in batches, but each as its own frame, in order and without a gap.
    step_seqs = [m["seq"] for m in messages if m["type"] == "execution.step"]
    assert step_seqs == list(range(1, len(step_seqs) + 1))
    assert messages[-1]["seq"] == step_seqs[-1] + 1


def test_late_subscriber_learns_the_final_state_from_the_snapshot(
    api: Any, user: Any, published_flow: Any, run_worker: Any
) -> None:
    published_flow()
    execution_id = _start_async(api)
    run_worker()

    async def scenario() -> dict:
        communicator = _communicator(user, execution_id)
        connected, _ = await communicator.connect()
        assert connected
        snapshot = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return snapshot

    snapshot = asyncio.run(scenario())
    assert snapshot["execution"]["status"] == "completed"
    assert [s["node_id"] for s in snapshot["steps"]][-1] == "ok"


def test_another_user_is_refused(api: Any, other_user: Any, published_flow: Any) -> None:
    published_flow()
    execution_id = _start_async(api)

    async def scenario() -> tuple[bool, Any]:
        communicator = _communicator(other_user, execution_id)
        connected, code = await communicator.connect()
        await communicator.disconnect()
        return connected, code

    connected, code = asyncio.run(scenario())
    assert connected is False
    assert code == 4403


def test_a_foreign_origin_is_refused(api: Any, user: Any, published_flow: Any) -> None:
    from designer.asgi import application

    published_flow()
    execution_id = _start_async(api)

    async def scenario() -> bool:
        communicator = WebsocketCommunicator(
            application,
            f"/ws/executions/{execution_id}/",
            headers=[(b"origin", b"http://evil.example")],
        )
        communicator.scope["user"] = user
        connected, _ = await communicator.connect()
        await communicator.disconnect()
        return connected

    assert asyncio.run(scenario()) is False


def test_resync_sends_a_fresh_snapshot(api: Any, user: Any, published_flow: Any) -> None:
    published_flow()
    execution_id = _start_async(api)

    async def scenario() -> tuple[dict, dict]:
        communicator = _communicator(user, execution_id)
        await communicator.connect()
        first = await communicator.receive_json_from(timeout=5)
        await communicator.send_json_to({"type": "resync"})
        second = await communicator.receive_json_from(timeout=5)
        await communicator.disconnect()
        return first, second

    first, second = asyncio.run(scenario())
    assert first["type"] == second["type"] == "execution.snapshot"
    assert second["execution"]["id"] == execution_id
