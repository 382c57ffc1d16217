"""The resumable state of one execution, as plain JSON."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from runtime.engine.compiler import CompiledFlow

STATUSES = ("running", "completed", "failed", "paused", "waiting")


@dataclass
class ExecutionState:
    """Everything needed to continue an execution from its last completed step.

    Saved after every step by the adapter; `run` on a state restored with `from_json` carries on
    exactly as an uninterrupted run would.
    """

    next_node: str | None
    variables: dict[str, Any] = field(default_factory=dict)
    attempts: dict[str, int] = field(default_factory=dict)
    step_count: int = 0
    status: str = "running"
    output: dict[str, Any] | None = None
    error: dict[str, Any] | None = None
    path: list[str] = field(default_factory=list)
    waiting_for: list[dict[str, Any]] = field(default_factory=list)
    seq: int = 0

    @classmethod
    def start(cls, flow: CompiledFlow, cleaned_input: dict[str, Any]) -> ExecutionState:
        """A fresh state at the start node, with the (validated) input as variables."""
        return cls(next_node=flow.start, variables=dict(cleaned_input))

    def to_json(self) -> dict[str, Any]:
        return {
            "next_node": self.next_node,
            "variables": dict(self.variables),
            "attempts": dict(self.attempts),
            "step_count": self.step_count,
            "status": self.status,
            "output": self.output,
            "error": self.error,
            "path": list(self.path),
            "waiting_for": list(self.waiting_for),
            "seq": self.seq,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> ExecutionState:
        """Rebuild a state saved by `to_json`; a malformed one raises ValueError."""
        if not isinstance(data, dict):
            raise ValueError("an execution state must be an object")
        try:
            state = cls(
                next_node=data.get("next_node"),
                variables=dict(data.get("variables") or {}),
                attempts={str(k): int(v) for k, v in (data.get("attempts") or {}).items()},
                step_count=int(data.get("step_count", 0)),
                status=data.get("status", "running"),
                output=data.get("output"),
                error=data.get("error"),
                path=list(data.get("path") or []),
                waiting_for=list(data.get("waiting_for") or []),
                seq=int(data.get("seq", 0)),
            )
        except (TypeError, AttributeError) as exc:
            raise ValueError(f"malformed execution state: {exc}") from exc
        if state.status not in STATUSES:
            raise ValueError(f"unknown execution status {state.status!r}")
        if state.next_node is not None and not isinstance(state.next_node, str):
            raise ValueError("next_node must be a node id or null")
        return state
