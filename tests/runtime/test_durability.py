"""Faults: duplicate concurrent starts, cancels mid-run, a worker killed with SIGKILL, Redis
down during starts. The database is the source of truth; nothing is lost or done twice."""

from __future__ import annotations

import concurrent.futures
import os
import signal
import time
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, _child_env
from tests.factories import counting_loop, linear_flow

pytestmark = pytest.mark.django_db(transaction=True)


def wait_for(predicate: Callable[[], Any], timeout: float = 20.0, interval: float = 0.1) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError("condition not met in time")


def status_of(execution_id: str) -> str:
    from runtime.models import Execution

    return Execution.objects.values_list("status", flat=True).get(pk=execution_id)


@pytest.fixture
def token(user: Any) -> str:
    from designer.api.auth import issue_token

    return issue_token(user, "tests")


def delays_flow(key: str, seconds: float) -> dict[str, Any]:
    assign = lambda name, expr: {  # noqa: E731
        "id": name,
        "type": "assign",
        "config": {"assignments": [{"variable": name, "expression": expr}]},
    }
    return linear_flow(
        key,
        [
            assign("a", "1"),
            {"id": "d1", "type": "delay", "config": {"seconds": seconds}},
            assign("b", "a + 1"),
            {"id": "d2", "type": "delay", "config": {"seconds": seconds}},
            assign("c", "b + 1"),
            {"id": "end", "type": "end", "config": {"output": {"c": "c"}}},
        ],
    )


def test_twenty_concurrent_duplicates_make_one_execution(
    sluice_server: LiveServer, published_flow: Any, token: str
) -> None:
    from runtime.models import Execution

    published_flow()
    headers = {"Authorization": f"Bearer {token}", "Idempotency-Key": "same-click"}
    body = {"input": {"amount": 7}}

    def post(_: int) -> httpx.Response:
        return httpx.post(
            f"{sluice_server.url}/api/flows/loan-quote/executions",
            json=body,
            headers=headers,
            timeout=30,
        )

    with concurrent.futures.ThreadPoolExecutor(20) as pool:
        responses = list(pool.map(post, range(20)))
    assert {r.status_code for r in responses} <= {200, 202}
    assert len({r.json()["id"] for r in responses}) == 1
    assert Execution.objects.filter(idempotency_key="same-click").count() == 1


def test_cancel_stops_a_running_execution(
    sluice_server: LiveServer, published_flow: Any, token: str
) -> None:
    from runtime.models import Step

    published_flow(delays_flow("slow-cancel", 1.5))
    client = httpx.Client(
        base_url=sluice_server.url, headers={"Authorization": f"Bearer {token}"}, timeout=20
    )
    execution_id = client.post("/api/flows/slow-cancel/executions", json={}).json()["id"]
    wait_for(lambda: status_of(execution_id) == "running")
    response = client.post(f"/api/executions/{execution_id}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    time.sleep(2.5)
    assert status_of(execution_id) == "cancelled"
    nodes = list(Step.objects.filter(execution_id=execution_id).values_list("node_id", flat=True))
    assert "c" not in nodes and "end" not in nodes


@pytest.fixture
def own_redis(monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    """A Redis of this test's own, so no other worker of the session picks its jobs; the
    app's enqueue is pointed at it."""
    import redis
    import rq

    from runtime import jobs
    from runtime.redis_server import EmbeddedRedis

    server = EmbeddedRedis().start()

    def enqueue_run(execution_id: Any) -> None:
        queue = rq.Queue("default", connection=redis.Redis.from_url(server.url))
        queue.enqueue(jobs.run_execution, str(execution_id), result_ttl=0)

    monkeypatch.setattr(jobs, "enqueue_run", enqueue_run)
    yield server
    server.stop()


def fault_env(redis_url: str) -> dict[str, str]:
    return {**_child_env(), "REDIS_URL": redis_url, "SLUICE_LEASE_S": "1"}


def test_worker_killed_mid_run_is_resumed_by_another(
    own_redis: Any, published_flow: Any, user: Any
) -> None:
    from runtime import executions
    from runtime.models import Execution, Step
    from runtime.reconciler import reconcile_once

    published_flow(delays_flow("killable", 1.0))
    execution, _ = executions.create_execution(
        executions.StartRequest(flow_key="killable", input={}, user=user)
    )
    server = LiveServer(fault_env(own_redis.url))
    try:
        first = server.start_worker("worker-1")
        wait_for(lambda: Step.objects.filter(execution=execution, node_id="b").exists())
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        assert status_of(str(execution.pk)) == "running"
        server.processes.pop("worker-1")
        server.start_worker("worker-2")
        time.sleep(1.2)  # the lease (1 s in this test) runs out, as a dead worker's would
        assert reconcile_once()["expired"] == 1
        wait_for(lambda: status_of(str(execution.pk)) == "completed", timeout=30)
    finally:
        server.stop_all()
    done = Execution.objects.get(pk=execution.pk)
    assert done.output == {"c": 3}
    nodes = list(
        Step.objects.filter(execution=done).order_by("seq").values_list("node_id", flat=True)
    )
    assert nodes == ["start", "a", "d1", "b", "d2", "c", "end"]


def test_starts_while_redis_is_down_all_complete(
    own_redis: Any, published_flow: Any, token: str
) -> None:
    from runtime.models import Execution
    from runtime.reconciler import reconcile_once

    published_flow()
    server = LiveServer(fault_env(own_redis.url))
    try:
        server.start_web()
        server.start_worker()
        own_redis.stop()
        client = httpx.Client(
            base_url=server.url, headers={"Authorization": f"Bearer {token}"}, timeout=20
        )
        ids = []
        for amount in range(5):
            response = client.post(
                "/api/flows/loan-quote/executions", json={"input": {"amount": amount}}
            )
            assert response.status_code == 202, response.text
            ids.append(response.json()["id"])
        assert set(Execution.objects.filter(pk__in=ids).values_list("status", flat=True)) == {
            "pending"
        }
        own_redis.start()  # same port, empty: every queued job is gone
        assert reconcile_once(pending_grace_s=0)["requeued"] == 5
        wait_for(
            lambda: Execution.objects.filter(pk__in=ids, status="completed").count() == 5,
            timeout=30,
        )
    finally:
        server.stop_all()


def test_worker_killed_mid_batch_of_pure_steps_records_each_step_once(
    own_redis: Any, published_flow: Any, user: Any
) -> None:
    """Pure steps are written in batches; a kill loses the unwritten batch, and the resumed
    run redoes exactly those steps: the audit has every step once, in order, no gap."""
    from runtime import executions, journal
    from runtime.models import Execution, Step
    from runtime.reconciler import reconcile_once
    from runtime.step_rows import steps_of

    iterations = 15_000
    published_flow(counting_loop("long-loop", iterations))
    execution, _ = executions.create_execution(
        executions.StartRequest(flow_key="long-loop", input={}, user=user)
    )
    env = {**fault_env(own_redis.url), "MAX_STEPS": "100000"}
    server = LiveServer(env)
    try:
        first = server.start_worker("worker-1")
        wait_for(lambda: Step.objects.filter(execution=execution).count() > 2000, interval=0.02)
        os.kill(first.pid, signal.SIGKILL)
        first.wait()
        written = Step.objects.filter(execution=execution).count()
        assert written < 2 * iterations + 3, "the run finished before the kill"
        server.processes.pop("worker-1")
        time.sleep(1.2)  # the lease runs out
        assert reconcile_once()["expired"] == 1
        server.start_worker("worker-2")
        wait_for(lambda: status_of(str(execution.pk)) == "completed", timeout=60)
    finally:
        server.stop_all()
    done = Execution.objects.get(pk=execution.pk)
    assert done.output == {"i": iterations}
    # the resumed run may end within its first batch: its steps are then in the journal
    assert [step.seq for step in steps_of(done)] == list(range(1, 2 * iterations + 4))
    journal.file_journals()
    seqs = list(Step.objects.filter(execution=done).order_by("seq").values_list("seq", flat=True))
    assert seqs == list(range(1, 2 * iterations + 4))
