"""Hand-off points: a delay that would outlast a sync run's bound pauses before it starts."""

from __future__ import annotations

import json
from typing import Any

from runtime import engine
from tests.runtime.engine.conftest import assign, chain, node


def test_a_delay_past_pause_at_pauses_before_it_starts(execute: Any, clock: Any) -> None:
    doc = chain(
        assign("a", x="1"), node("d", "delay", seconds=5), assign("b", y="x + 1"), output={"y": "y"}
    )
    result = execute(doc, pause_at=clock.now + 2)
    assert result.state.status == "paused"
    assert result.state.next_node == "d"
    assert [e.node_id for e in result.events if e.status == "completed"] == ["start", "a"]
    assert clock.sleeps == []

    saved = engine.ExecutionState.from_json(json.loads(json.dumps(result.state.to_json())))
    resumed = engine.run(
        result.flow,
        saved,
        engine.RecordingObserver(),
        engine.RunContext(sleep=clock.sleep, monotonic=clock.monotonic),
    )
    assert resumed.status == "completed"
    assert resumed.output == {"y": 2}
    assert clock.sleeps == [5.0]


def test_a_delay_within_pause_at_runs(execute: Any, clock: Any) -> None:
    doc = chain(node("d", "delay", seconds=1), output={})
    result = execute(doc, pause_at=clock.now + 2)
    assert result.state.status == "completed"
    assert clock.sleeps == [1.0]
