"""Observers and the run context's hooks."""

from __future__ import annotations

from runtime import engine
from tests.runtime.engine.conftest import LOAN_QUOTE, assign, chain


def test_null_observer_accepts_everything() -> None:
    observer = engine.NullObserver()
    event = engine.StepEvent(1, "n", "assign", 1, "running")
    state = engine.ExecutionState(next_node=None)
    observer.step_started(event)
    observer.step_finished(event, state)
    observer.step_failed(event, state)


def test_recording_observer_keeps_finished_and_failed_steps(execute) -> None:
    result = execute(chain(assign("a", x="1 / 0")))
    assert result.observer.node_ids == ["start", "a"]
    assert [e.status for e in result.events] == ["completed", "failed"]
    assert result.observer.started == 2


def test_should_pause_is_asked_before_the_first_node(make_context) -> None:
    flow = engine.compile_flow(LOAN_QUOTE)
    state = engine.ExecutionState.start(flow, {"amount": 1.0, "customer": None})
    observer = engine.RecordingObserver()
    state = engine.run(flow, state, observer, make_context(should_pause=lambda: True))
    assert (state.status, state.next_node, observer.events) == ("paused", "start", [])


def test_default_context_is_usable() -> None:
    context = engine.RunContext()
    assert context.max_steps == 10_000 and context.max_delay_s == 300
    assert context.should_pause() is False and context.remaining_s() is None
    assert context.http_allow_private is False and context.run_child is None


def test_observer_protocol_is_satisfied_by_the_builtins() -> None:
    observers: list[engine.Observer] = [engine.NullObserver(), engine.RecordingObserver()]
    assert len(observers) == 2
