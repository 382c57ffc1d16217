"""What the caller lends a run: identity, clocks, bounds and hooks (pause, sleep, child runs)."""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


def _never() -> bool:
    return False


def _no_execution() -> dict[str, Any]:
    return {"id": "", "business_key": None}


@dataclass
class RunContext:
    """Injected so the engine stays pure: the adapter decides when to pause, how to sleep and
    how a child flow runs; tests inject fake clocks."""

    execution: dict[str, Any] = field(default_factory=_no_execution)
    should_pause: Callable[[], bool] = _never
    sleep: Callable[[float], None] = time.sleep
    monotonic: Callable[[], float] = time.monotonic
    max_steps: int = 10_000
    deadline: float | None = None
    pause_at: float | None = None
    max_delay_s: float = 300.0
    http_allow_private: bool = False
    http_max_response_bytes: int = 1_000_000
    http_default_timeout_s: float = 10.0
    run_child: Callable[[str, dict[str, Any]], dict[str, Any]] | None = None
    idempotency_prefix: str = ""

    def remaining_s(self) -> float | None:
        """Seconds left before the deadline, or None without one."""
        return None if self.deadline is None else self.deadline - self.monotonic()
