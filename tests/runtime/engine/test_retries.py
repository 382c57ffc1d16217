"""Node retries with backoff, error edges, and how failures end an execution."""

from __future__ import annotations

import json
from typing import Any

from runtime import engine
from runtime.engine.compiler import RetryPolicy
from runtime.engine.runner import backoff_s
from tests.runtime.engine.conftest import assign, document, edge, end, node

RETRY = {"max_attempts": 3, "backoff_s": 1, "max_backoff_s": 1.5}


class FlakyChild:
    """A child runner that fails `failures` times before answering."""

    def __init__(self, failures: int, retryable: bool = True) -> None:
        self.failures = failures
        self.retryable = retryable
        self.calls = 0

    def __call__(self, key: str, data: dict[str, Any]) -> dict[str, Any]:
        self.calls += 1
        if self.calls <= self.failures:
            raise engine.NodeFailure("call", f"boom {self.calls}", retryable=self.retryable)
        return {"ok": True}


def flow(retry: dict[str, Any] | None = RETRY, error_edge: bool = False) -> dict[str, Any]:
    nodes = [
        node("start", "start"),
        node("c", "call", flow="child", result_variable="r", retry=retry),
        end("done", r="r"),
    ]
    edges = [edge("start", "c"), edge("c", "done")]
    if error_edge:
        nodes.append(end("handled", message="error.message", node="error.node"))
        edges.append(edge("c", "handled", "catch", on_error=True))
    return document(nodes, edges)


def test_retry_until_success_reports_each_attempt(execute, clock) -> None:
    child = FlakyChild(2)
    result = execute(flow(), run_child=child)
    assert result.state.status == "completed"
    attempts = [(e.attempt, e.status) for e in result.events if e.node_id == "c"]
    assert attempts == [(1, "failed"), (2, "failed"), (3, "completed")]
    assert result.events[1].error == {
        "node": "c",
        "type": "call",
        "message": "boom 1",
        "retryable": True,
    }
    assert result.events[1].next_node == "c"
    assert 0.5 <= clock.sleeps[0] <= 1.0 and 0.75 <= clock.sleeps[1] <= 1.5
    assert result.state.attempts == {}
    assert result.state.path == ["start", "c", "done"]


def test_backoff_is_exponential_with_jitter_and_capped() -> None:
    policy = RetryPolicy(max_attempts=10, backoff_s=2, max_backoff_s=10)
    for attempt, ceiling in [(1, 2), (2, 4), (3, 8), (4, 10), (9, 10)]:
        samples = [backoff_s(policy, attempt) for _ in range(50)]
        assert all(ceiling / 2 <= s <= ceiling for s in samples)


def test_exhausted_retries_fail_the_execution(execute) -> None:
    child = FlakyChild(5)
    state = execute(flow(), run_child=child).state
    assert child.calls == 3
    assert state.status == "failed"
    assert state.error == {"node": "c", "type": "call", "message": "boom 3", "retryable": True}
    assert state.next_node == "c"


def test_exhausted_retries_follow_the_error_edge_with_the_error(execute) -> None:
    result = execute(flow(error_edge=True), run_child=FlakyChild(5))
    assert result.state.status == "completed"
    assert result.state.output == {"message": "boom 3", "node": "c"}
    last = [e for e in result.events if e.node_id == "c"][-1]
    assert (last.status, last.next_node, last.edge_id) == ("failed", "handled", "catch")
    assert result.state.variables["error"]["type"] == "call"


def test_non_retryable_failures_are_not_retried(execute, clock) -> None:
    child = FlakyChild(1, retryable=False)
    result = execute(flow(error_edge=True), run_child=child)
    assert child.calls == 1 and clock.sleeps == []
    assert result.state.output["message"] == "boom 1"


def test_without_retry_policy_one_attempt(execute) -> None:
    child = FlakyChild(1)
    assert execute(flow(retry=None), run_child=child).state.status == "failed"
    assert child.calls == 1


def test_error_edge_catches_expression_and_limit_failures(execute) -> None:
    doc = document(
        [node("start", "start"), assign("a", x="1 / 0"), end("ok"), end("caught", t="error.type")],
        [edge("start", "a"), edge("a", "ok"), edge("a", "caught", on_error=True)],
    )
    assert execute(doc).state.output == {"t": "expression"}


def test_retry_that_would_pass_the_deadline_times_out(execute, clock) -> None:
    retry = {"max_attempts": 5, "backoff_s": 100, "max_backoff_s": 100}
    state = execute(flow(retry=retry), run_child=FlakyChild(5), deadline=clock.now + 10).state
    assert state.error["type"] == "timeout"
    assert clock.sleeps == []


def test_pause_between_attempts_resumes_the_attempt_count(make_context) -> None:
    compiled = engine.compile_flow(flow())
    child = FlakyChild(2)
    boundaries = {"n": 0}

    def pause() -> bool:
        boundaries["n"] += 1
        return boundaries["n"] == 3

    first = engine.RecordingObserver()
    state = engine.run(
        compiled,
        engine.ExecutionState.start(compiled, {}),
        first,
        make_context(run_child=child, should_pause=pause),
    )
    assert state.status == "paused" and state.attempts == {"c": 1}
    state = engine.ExecutionState.from_json(json.loads(json.dumps(state.to_json())))
    second = engine.RecordingObserver()
    state = engine.run(compiled, state, second, make_context(run_child=child))
    assert [e.attempt for e in second.events if e.node_id == "c"] == [2, 3]
    assert state.status == "completed"


def test_error_variable_is_plain_json(execute) -> None:
    result = execute(flow(error_edge=True), run_child=FlakyChild(9))
    json.dumps(result.state.to_json())
    assert result.state.status == "completed"
