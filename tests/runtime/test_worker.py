"""SluiceWorker: RQ's SimpleWorker with its per-job bookkeeping thinned, on a real Redis."""

from __future__ import annotations

from typing import Any

import pytest


@pytest.fixture
def redis_commands(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every command RQ sends, in order (pipelined ones included)."""
    from redis.client import Pipeline, Redis

    sent: list[str] = []
    plain, piped = Redis.execute_command, Pipeline.execute_command

    def record(original: Any) -> Any:
        def execute(self: Any, *args: Any, **kwargs: Any) -> Any:
            sent.append(str(args[0]).upper())
            return original(self, *args, **kwargs)

        return execute

    monkeypatch.setattr(Redis, "execute_command", record(plain))
    monkeypatch.setattr(Pipeline, "execute_command", record(piped))
    return sent


def run_jobs(worker_class: Any, count: int, sent: list[str]) -> int:
    """Commands sent while `worker_class` drains `count` no-op jobs in burst mode."""
    import django_rq

    queue = django_rq.get_queue("default")
    queue.empty()
    for _ in range(count):
        queue.enqueue("builtins.len", "x", result_ttl=10)
    worker = worker_class([queue], connection=queue.connection)
    sent.clear()
    worker.work(burst=True, logging_level="WARNING")
    assert queue.count == 0
    return len(sent)


def test_sluice_worker_sends_fewer_commands_per_job(redis_commands: list[str]) -> None:
    from rq.worker import SimpleWorker

    from runtime.worker import SluiceWorker

    simple = run_jobs(SimpleWorker, 20, redis_commands)
    sluice = run_jobs(SluiceWorker, 20, redis_commands)
    # the worker heartbeat (HSET + EXPIRE, three times a job) and the suspension check go
    assert (simple - sluice) / 20 >= 5, (simple, sluice)


def test_sluice_worker_still_honours_rq_suspend(redis_commands: list[str]) -> None:
    import django_rq
    from rq.suspension import resume, suspend

    from runtime.worker import SluiceWorker

    queue = django_rq.get_queue("default")
    queue.empty()
    queue.enqueue("builtins.len", "x", result_ttl=10)
    suspend(queue.connection)
    try:
        worker = SluiceWorker([queue], connection=queue.connection)
        worker.work(burst=True, logging_level="WARNING")  # a suspended burst worker stops
        assert queue.count == 1
    finally:
        resume(queue.connection)
        queue.empty()
