"""CEL plumbing: compile once, JSON conversion, the tokenizer and the cost estimate."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from runtime import engine
from runtime.engine import expressions, limits
from runtime.engine.celscan import scan
from runtime.engine.cost import estimate
from runtime.engine.expressions import Expression
from runtime.engine.values import NotJson, check_size, measure, to_json
from tests.runtime.engine.conftest import LOAN_QUOTE, assign, chain, param


def test_each_distinct_expression_is_compiled_once(monkeypatch) -> None:
    compiled: list[str] = []
    real = expressions.cel.compile

    def counting(source: str):
        compiled.append(source)
        return real(source)

    monkeypatch.setattr(expressions.cel, "compile", counting)
    expressions._compile.cache_clear()
    doc = chain(assign("a", x="1 + 41", y="1 + 41"), output={"x": "x", "y": "y"})
    engine.validate(doc)
    flow = engine.compile_flow(doc)
    engine.compile_flow(LOAN_QUOTE)
    state = engine.run(
        flow, engine.ExecutionState.start(flow, {}), engine.NullObserver(), engine.RunContext()
    )
    assert state.output == {"x": 42, "y": 42}
    assert sorted(compiled) == sorted(set(compiled))
    assert compiled.count("1 + 41") == 1


def test_expressions_read_only_the_names_they_use() -> None:
    expression = Expression("a + 1", "f")
    assert expression.names == ("a",)
    assert expression.evaluate({"a": 1, "huge": object()}, {}, lambda name: (1, 0)) == 2


def test_execution_is_available_and_not_a_variable() -> None:
    expression = Expression("execution.id + ':' + execution.business_key", "f")
    assert expression.evaluate({}, {"id": "e", "business_key": "k"}, lambda n: None) == "e:k"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC), "2024-01-02T03:04:05Z"),
        (datetime(2024, 1, 2, tzinfo=timezone(timedelta(hours=2))), "2024-01-02T00:00:00+02:00"),
        (timedelta(seconds=90), "90s"),
        (timedelta(milliseconds=1500), "1.5s"),
        (b"hi", "aGk="),
        ({True: 1, 2: [b"x"]}, {"true": 1, "2": ["eA=="]}),
        ((1, 2), [1, 2]),
        (1.5, 1.5),
        (None, None),
    ],
)
def test_cel_results_become_plain_json(value, expected) -> None:
    assert to_json(value) == expected


@pytest.mark.parametrize("value", [math.inf, math.nan, object()])
def test_values_without_json_form_are_refused(value) -> None:
    with pytest.raises(NotJson):
        to_json(value)


def test_measure_counts_elements_and_characters() -> None:
    assert measure(5) == (1, 0, 0)
    assert measure("abc") == (1, 3, 3)
    assert measure({"ab": [1, "xyz"]}) == (5, 5, 3)


def test_check_size_enforces_string_and_collection_caps() -> None:
    with pytest.raises(engine.NodeFailure) as caught:
        check_size("v", "x" * (limits.MAX_STRING_LENGTH + 1))
    assert caught.value.type == "limit"
    with pytest.raises(engine.NodeFailure):
        check_size("v", [[0] * 100] * 100)
    assert check_size("v", list(range(10))) == (11, 0)


def test_scan_ignores_strings_and_comments_and_tracks_depths() -> None:
    shape = scan("l.map(a, a + ')') // l.map(\n + r'''(''' + \"x.filter(\"")
    assert shape.macro_depth == 1 and shape.bracket_depth == 1
    names = {name: depth for name, depth, _ in shape.occurrences}
    assert names == {"l": 0, "a": 1}
    nested = scan("l.map(a, m.filter(b, b > a.size()))")
    assert nested.macro_depth == 2
    assert {(m.kind, m.depth) for m in nested.macros} == {("map", 0), ("filter", 1)}
    assert scan("f(x).exists(y, true)").occurrences == (("x", 0, 1), ("y", 1, 1))


def test_scan_tolerates_broken_text() -> None:
    for text in ["'unterminated", "((((", "))))", "1e+", "0x1F.map(", '"""', "b'", "r"]:
        scan(text)


def test_cost_grows_with_sizes_and_depth() -> None:
    flat = scan("l + l")
    nested = scan("l.map(a, l)")
    small, big = (lambda n: (10, 0)), (lambda n: (1000, 0))
    assert estimate(flat, small)[0] < estimate(flat, big)[0]
    assert estimate(nested, big)[0] > 1000 * estimate(flat, big)[0]
    assert estimate(scan("s + s"), lambda n: (1, 500))[1] >= 1000


def test_evaluation_over_the_cost_budget_is_a_limit_failure() -> None:
    expression = Expression("l.map(a, l)", "config.x")
    with pytest.raises(engine.NodeFailure) as caught:
        expression.evaluate({"l": list(range(5000))}, {}, lambda n: (5001, 0))
    assert caught.value.type == "limit"
    assert caught.value.message.startswith("config.x: ")


def test_expression_error_carries_position() -> None:
    with pytest.raises(engine.ExpressionError) as caught:
        Expression("1 +", "f")
    assert caught.value.position == 3
    with pytest.raises(engine.ExpressionError):
        Expression("   ", "f")


def test_mixing_integers_and_decimals_explains_the_fix(execute: Any) -> None:
    doc = chain(
        assign("a", x="amount * 2"),
        output={"x": "x"},
        parameters=[param("amount", "number")],
    )
    error = execute(doc, {"amount": 3}).state.error
    assert error["type"] == "expression"
    assert "write 2.0 instead of 2" in error["message"]
