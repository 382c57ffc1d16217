"""Engine throughput: a 1,000-iteration assign + decision loop, against plain Python.

Run with `.venv/bin/python tests/benchmarks/bench_engine.py`. Prints steps, steps/s, µs/step
and the ratio to the same loop written in Python.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from runtime import engine
from tests.factories import counting_loop

ITERATIONS = 1_000
REPEATS = 20


def loop_document(iterations: int = ITERATIONS) -> dict[str, Any]:
    """start → init → (inc → check)* → end: two node steps per iteration."""
    return counting_loop("bench-loop", iterations)


def plain_python(iterations: int = ITERATIONS) -> int:
    """The same loop without the engine: the floor we compare against."""
    variables = {"i": 0}
    while True:
        variables["i"] = variables["i"] + 1
        if variables["i"] >= iterations:
            return variables["i"]


def _time(action: Callable[[], int]) -> tuple[float, int]:
    best = float("inf")
    steps = 0
    for _ in range(REPEATS):
        began = time.perf_counter()
        steps = action()
        best = min(best, time.perf_counter() - began)
    return best, steps


def measure() -> list[tuple[str, int, float]]:
    """(label, steps, seconds) for the engine with each observer and for plain Python."""
    flow = engine.compile_flow(loop_document())
    rows = []
    for label, make_observer in (
        ("engine + RecordingObserver", engine.RecordingObserver),
        ("engine + NullObserver", engine.NullObserver),
    ):

        def once(make: Callable[[], engine.Observer] = make_observer) -> int:
            state = engine.ExecutionState.start(flow, {})
            state = engine.run(flow, state, make(), engine.RunContext())
            assert state.status == "completed" and state.output == {"i": ITERATIONS}
            return state.step_count

        seconds, steps = _time(once)
        rows.append((label, steps, seconds))

    def python_once() -> int:
        plain_python()
        return 2 * ITERATIONS

    seconds, steps = _time(python_once)
    rows.append(("plain Python loop", steps, seconds))
    return rows


def main() -> list[tuple[str, int, float]]:
    rows = measure()
    baseline = rows[-1][2] / rows[-1][1]
    print(f"{'run':<28} {'steps':>7} {'steps/s':>12} {'µs/step':>9} {'x Python':>9}")
    for label, steps, seconds in rows:
        per_step = seconds / steps
        print(
            f"{label:<28} {steps:>7} {steps / seconds:>12,.0f} {per_step * 1e6:>9.2f} "
            f"{per_step / baseline:>9.1f}"
        )
    return rows


if __name__ == "__main__":
    main()
