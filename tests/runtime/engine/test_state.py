"""Execution state: JSON round trips, pause and resume, progress, step events."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime import engine
from tests.runtime.engine.conftest import LOAN_QUOTE, assign, chain, document, edge, end, node


def loop(iterations: int) -> dict[str, Any]:
    return document(
        [
            node("start", "start"),
            assign("init", i="0", acc="[]"),
            assign("inc", i="i + 1", acc="acc + [i]"),
            node("check", "decision"),
            end("done", i="i", acc="acc"),
        ],
        [
            edge("start", "init"),
            edge("init", "inc"),
            edge("inc", "check"),
            edge("check", "done", condition=f"i >= {iterations}"),
            edge("check", "inc", default=True),
        ],
    )


def roundtrip(state: engine.ExecutionState) -> engine.ExecutionState:
    return engine.ExecutionState.from_json(json.loads(json.dumps(state.to_json())))


def test_to_json_from_json_roundtrip() -> None:
    state = engine.ExecutionState(
        next_node="a",
        variables={"x": [1, {"y": None}]},
        attempts={"a": 2},
        step_count=3,
        status="paused",
        output=None,
        error=None,
        path=["start"],
        waiting_for=[{"name": "go"}],
        seq=7,
    )
    again = roundtrip(state)
    assert again == state
    assert again.to_json() is not state.to_json()


@pytest.mark.parametrize(
    "bad",
    [
        None,
        [],
        {"status": "dancing"},
        {"next_node": 5},
        {"attempts": {"a": None}},
        {"variables": 3},
        {"seq": "x"},
    ],
)
def test_from_json_refuses_malformed_states(bad: Any) -> None:
    with pytest.raises(ValueError):
        engine.ExecutionState.from_json(bad)


def test_start_sets_variables_and_start_node() -> None:
    flow = engine.compile_flow(LOAN_QUOTE)
    state = engine.ExecutionState.start(flow, {"amount": 1.0, "customer": None})
    assert (state.next_node, state.status, state.variables) == (
        "start",
        "running",
        {"amount": 1.0, "customer": None},
    )


@pytest.mark.parametrize("stop_after", [0, 1, 2, 5, 12])
def test_pause_at_a_boundary_then_resume_equals_an_uninterrupted_run(
    stop_after: int, make_context, execute
) -> None:
    doc = loop(5)
    whole = execute(doc).state
    flow = engine.compile_flow(doc)
    boundaries = {"n": 0}

    def pause() -> bool:
        boundaries["n"] += 1
        return boundaries["n"] > stop_after

    first = engine.RecordingObserver()
    state = engine.run(
        flow, engine.ExecutionState.start(flow, {}), first, make_context(should_pause=pause)
    )
    assert state.status == "paused"
    assert len(first.events) == stop_after
    assert flow.progress(state) < 100
    second = engine.RecordingObserver()
    state = engine.run(flow, roundtrip(state), second, make_context())
    assert state.status == "completed"
    assert (state.output, state.variables, state.path) == (
        whole.output,
        whole.variables,
        whole.path,
    )
    seqs = [e.seq for e in first.events + second.events]
    assert seqs == list(range(1, len(seqs) + 1))


def test_run_on_a_finished_state_does_nothing(execute, make_context) -> None:
    result = execute(chain())
    again = engine.run(result.flow, result.state, engine.RecordingObserver(), make_context())
    assert again.status == "completed" and again.seq == result.state.seq


def test_step_events_carry_timing_edges_and_order(execute) -> None:
    result = execute(LOAN_QUOTE, {"amount": 1})
    events = result.events
    assert [e.node_id for e in events] == ["start", "calc", "check", "ok"]
    assert [e.edge_id for e in events] == ["e1", "e2", "e3", None]
    assert [e.next_node for e in events] == ["calc", "check", "ok", None]
    assert all(e.status == "completed" and e.attempt == 1 for e in events)
    assert all(
        e.duration_ms is not None and e.duration_ms >= 0 and e.started_at > 0 for e in events
    )
    assert result.observer.started == 4
    as_dict = events[1].as_dict()
    assert set(as_dict) == {
        "seq",
        "node_id",
        "node_type",
        "attempt",
        "status",
        "input",
        "output",
        "error",
        "logs",
        "started_at",
        "duration_ms",
        "next_node",
        "edge_id",
    }
    json.dumps(as_dict)


def test_observer_sees_state_after_each_step(make_context) -> None:
    flow = engine.compile_flow(loop(2))
    checkpoints: list[dict[str, Any]] = []

    class Checkpointing(engine.NullObserver):
        def step_finished(self, event: engine.StepEvent, state: engine.ExecutionState) -> None:
            checkpoints.append(state.to_json())

    engine.run(flow, engine.ExecutionState.start(flow, {}), Checkpointing(), make_context())
    assert [c["next_node"] for c in checkpoints][:3] == ["init", "inc", "check"]
    assert checkpoints[2]["variables"]["i"] == 1
    assert checkpoints[-1]["status"] == "completed"


def test_progress_grows_and_reaches_100(make_context) -> None:
    flow = engine.compile_flow(LOAN_QUOTE)
    seen: list[int] = []

    class Progress(engine.NullObserver):
        def step_finished(self, event: engine.StepEvent, state: engine.ExecutionState) -> None:
            seen.append(flow.progress(state))

    start = engine.ExecutionState.start(flow, {"amount": 1.0, "customer": None})
    assert flow.progress(start) == 0
    engine.run(flow, start, Progress(), make_context())
    assert seen == sorted(seen) and seen[-1] == 100 and max(seen[:-1]) <= 99
    assert flow.node_count == 5 and flow.kind == "micro" and flow.key == "loan-quote"


def test_max_steps_stops_a_loop(execute) -> None:
    state = execute(loop(1_000_000), max_steps=50).state
    assert state.status == "failed"
    assert state.error["type"] == "max_steps"
    assert state.step_count == 50


def test_deadline_stops_the_run_as_timeout(execute, clock) -> None:
    doc = chain(node("w1", "delay", seconds=5), node("w2", "delay", seconds=1))
    state = execute(doc, deadline=clock.now + 5.5).state
    assert state.error["type"] == "timeout"
    assert state.next_node == "w2"


def test_a_failed_execution_resumes_from_the_failed_node(make_context) -> None:
    doc = chain(
        assign("a", x="1"),
        assign("b", y="10 / d"),
        output={"y": "y"},
        parameters=[{"name": "d", "type": "integer", "default": 0}],
    )
    flow = engine.compile_flow(doc)
    state = engine.run(
        flow, engine.ExecutionState.start(flow, {"d": 0}), engine.NullObserver(), make_context()
    )
    assert (state.status, state.next_node) == ("failed", "b")
    state = roundtrip(state)
    state.variables["d"] = 2
    observer = engine.RecordingObserver()
    state = engine.run(flow, state, observer, make_context())
    assert state.status == "completed" and state.output == {"y": 5}
    assert observer.node_ids == ["b", "end"]


def test_unknown_node_in_a_saved_state_fails_cleanly(make_context) -> None:
    flow = engine.compile_flow(chain())
    state = engine.ExecutionState(next_node="gone")
    state = engine.run(flow, state, engine.NullObserver(), make_context())
    assert state.error["type"] == "state"
