"""Process flows around the engine's wait states: arming timers and events, firing transitions."""

from __future__ import annotations

from runtime.models import Execution


def on_waiting(execution: Execution) -> None:
    """Called once an execution has been recorded as waiting; arms its scheduled transitions."""
