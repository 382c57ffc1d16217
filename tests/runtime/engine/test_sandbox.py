"""The CEL sandbox: hostile expressions are refused or fail with a typed error, quickly and
without eating memory; the largest accepted workloads still finish within a second.

Workload timings use the thread's CPU time, so other processes on a busy machine cannot make
them flaky; the hostile corpus finishes in milliseconds and is timed on the wall clock."""

from __future__ import annotations

import resource
import time
from typing import Any

import pytest

from runtime import engine
from runtime.engine import limits
from runtime.engine.cost import estimate
from runtime.engine.expressions import Expression
from runtime.engine.values import measure
from tests.runtime.engine.conftest import assign, chain, document, edge, end, node, param

S = "a" * (limits.MAX_STRING_LENGTH - 1)
VARIABLES: dict[str, Any] = {
    "l": list(range(200)),
    "big": list(range(9_000)),
    "s": S,
    "m": {"a": {"b": 1}},
    "x": 5,
}
PARAMETERS = [
    param(name, kind)
    for name, kind in [
        ("l", "list"),
        ("big", "list"),
        ("s", "string"),
        ("m", "object"),
        ("x", "integer"),
    ]
]

HOSTILE = [
    "x.__class__",
    "x.__dict__",
    "__import__('os')",
    "m.__class__.__bases__",
    "execution.__class__",
    "has(m.__class__) ? 1 / 0 : 1 / 0",
    "'a' * 1000000000",
    "'s' + " * 30 + "s",
    " + ".join(["s"] * 25),
    "[" + ", ".join(["s"] * 30) + "]",
    "{" + ", ".join(f"'k{i}': s" for i in range(25)) + "}",
    " + ".join(["big"] * 5),
    "[" + ", ".join(["l"] * 60) + "]",
    "(" * 60 + "1" + ")" * 60,
    "[" * 40 + "]" * 40,
    "2 ** 1000000",
    "9223372036854775807 * 9223372036854775807",
    "-9223372036854775808 - 1",
    "1e308 * 1e308",
    "1e999999",
    "s.matches('(a*)*\\\\1')",
    "s.matches('(?=a)a')",
    "s.matches('(((a{100}){100}){100})')",
    "foo(1)",
    "max(l)",
    "l.map(a, l.map(b, l.map(c, a + b + c)))",
    "l.all(a, l.all(b, l.all(c, true)))",
    "l.map(a, // )\n l.map(b, l.map(c, 1)))",
    "'l.map(' + string(l.map(a, l.map(b, l.map(c, 1))))",
    "l.map(a, l.map(b, l))",
    "big.map(a, big)",
    "big.map(a, [a, a, a, a])",
    "big.filter(a, big.exists(b, b == a))",
    "big.map(a, big.filter(b, b < a))",
    "l.exists(a, big.exists(b, big.size() < 0))",
    "l.map(a, s + s)",
    "m.a.b.c",
    "m.zz",
    "[1, 2, 3][100]",
    "timestamp('9999-12-31T23:59:59Z') + duration('100000000h')",
    "int('9' + s)",
    "bytes(s) + bytes(s) + bytes(s)",
    "'x' + " * 700 + "'x'",
]


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def test_the_corpus_is_large_enough() -> None:
    assert len(HOSTILE) >= 30


@pytest.mark.parametrize("source", HOSTILE)
def test_hostile_expression_is_refused_or_fails_typed_fast(source: str) -> None:
    doc = chain(assign("a", y=source), parameters=PARAMETERS)
    issues = engine.validate(doc)
    if issues:
        assert all(issue.node == "a" for issue in issues)
        return
    flow = engine.compile_flow(doc)
    state = engine.ExecutionState.start(flow, engine.validate_input(flow, VARIABLES))
    peak = _peak_mb()
    began = time.perf_counter()
    state = engine.run(flow, state, engine.NullObserver(), engine.RunContext())
    elapsed = time.perf_counter() - began
    assert elapsed < 1.0
    assert _peak_mb() - peak < 200
    assert state.status == "failed"
    assert state.error["type"] in ("expression", "limit")
    assert state.error["node"] == "a"
    assert "\n" not in state.error["message"] and len(state.error["message"]) <= 400


def test_variables_growing_in_a_loop_hit_the_size_cap() -> None:
    doc = document(
        [
            node("start", "start"),
            assign("grow", s="s + s", l="l + l"),
            node("d", "decision"),
            end(),
        ],
        [
            edge("start", "grow"),
            edge("grow", "d"),
            edge("d", "end", condition="false"),
            edge("d", "grow", default=True),
        ],
        parameters=[param("s", "string", default="ab"), param("l", "list", default=[1])],
    )
    flow = engine.compile_flow(doc)
    began = time.perf_counter()
    state = engine.run(
        flow,
        engine.ExecutionState.start(flow, engine.validate_input(flow, {})),
        engine.NullObserver(),
        engine.RunContext(),
    )
    assert time.perf_counter() - began < 1.0
    assert state.error["type"] == "limit"
    assert state.step_count < 100


def test_end_output_is_capped_too() -> None:
    doc = chain(output={"o": "[" + ", ".join(["l"] * 60) + "]"}, parameters=[param("l", "list")])
    flow = engine.compile_flow(doc)
    state = engine.ExecutionState.start(flow, {"l": list(range(200))})
    state = engine.run(flow, state, engine.NullObserver(), engine.RunContext())
    assert state.error["type"] == "limit"


SHAPES = [
    "l.map(a, a * 2)",
    "l.filter(a, a % 2 == 0)",
    "l.map(a, l)",
    "l.map(a, l.map(b, a + b))",
    "l.map(a, l.map(b, l))",
    "l.exists(a, l.exists(b, a == b + 100000))",
    "l.all(a, l.all(b, true))",
    "l + l + l + l",
]


def _accepted(expression: Expression, n: int) -> bool:
    variables = {"l": list(range(n))}
    items, chars, _ = measure(variables["l"])
    work, text = estimate(expression.scan, lambda name: (items, chars) if name == "l" else None)
    return work <= limits.MAX_EVALUATION_COST and text <= limits.MAX_EVALUATION_CHARS


@pytest.mark.parametrize("source", SHAPES)
def test_largest_accepted_workload_finishes_within_a_second(source: str) -> None:
    expression = Expression(source, "probe")
    low, high = 1, limits.MAX_COLLECTION_ITEMS - 1
    while low < high:
        middle = (low + high + 1) // 2
        low, high = (middle, high) if _accepted(expression, middle) else (low, middle - 1)
    assert low >= 10
    variables = {"l": list(range(low))}
    items, chars, _ = measure(variables["l"])
    began, cpu = time.perf_counter(), time.thread_time()
    expression.evaluate(variables, {}, lambda name: (items, chars) if name == "l" else None)
    assert time.thread_time() - cpu < 1.0, f"{source} with {low} items"
    assert time.perf_counter() - began < 3.0, "far too slow even for a busy machine"
