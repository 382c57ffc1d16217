"""Step events and the observers that receive them (the adapter persists and pushes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from runtime.engine.state import ExecutionState


@dataclass(slots=True)
class StepEvent:
    """One node attempt. The runner fills in the same object as the step progresses: an
    observer that keeps the 'running' event past `step_started` must copy it."""

    seq: int
    node_id: str
    node_type: str
    attempt: int
    status: str
    input: dict[str, Any] | None = None
    output: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    logs: list[dict[str, Any]] = field(default_factory=list)
    started_at: float = 0.0
    duration_ms: float | None = None
    next_node: str | None = None
    edge_id: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "node_id": self.node_id,
            "node_type": self.node_type,
            "attempt": self.attempt,
            "status": self.status,
            "input": self.input,
            "output": self.output,
            "error": self.error,
            "logs": self.logs,
            "started_at": self.started_at,
            "duration_ms": self.duration_ms,
            "next_node": self.next_node,
            "edge_id": self.edge_id,
        }


class Observer(Protocol):
    """Receives every step; `state` is the state after the step, ready to checkpoint."""

    def step_started(self, event: StepEvent) -> None: ...

    def step_finished(self, event: StepEvent, state: ExecutionState) -> None: ...

    def step_failed(self, event: StepEvent, state: ExecutionState) -> None: ...


class NullObserver:
    """Discards everything: for runs nobody watches."""

    def step_started(self, event: StepEvent) -> None:
        pass

    def step_finished(self, event: StepEvent, state: ExecutionState) -> None:
        pass

    def step_failed(self, event: StepEvent, state: ExecutionState) -> None:
        pass


class RecordingObserver:
    """Keeps finished and failed step events in memory, in order (tests, benchmark)."""

    def __init__(self) -> None:
        self.events: list[StepEvent] = []
        self.started = 0

    def step_started(self, event: StepEvent) -> None:
        self.started += 1

    def step_finished(self, event: StepEvent, state: ExecutionState) -> None:
        self.events.append(event)

    def step_failed(self, event: StepEvent, state: ExecutionState) -> None:
        self.events.append(event)

    @property
    def node_ids(self) -> list[str]:
        return [event.node_id for event in self.events]
