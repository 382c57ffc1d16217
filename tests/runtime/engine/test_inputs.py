"""Input validation against the flow's parameters."""

from __future__ import annotations

from typing import Any

import pytest

from runtime import engine
from runtime.engine import limits
from tests.runtime.engine.conftest import chain, param


def flow_with(*parameters: dict[str, Any]) -> engine.CompiledFlow:
    return engine.compile_flow(chain(parameters=list(parameters)))


@pytest.mark.parametrize(
    ("kind", "value", "cleaned"),
    [
        ("string", "x", "x"),
        ("number", 3, 3.0),
        ("number", 2.5, 2.5),
        ("integer", 4, 4),
        ("integer", 4.0, 4),
        ("boolean", False, False),
        ("object", {"a": [1]}, {"a": [1]}),
        ("list", [1, "a"], [1, "a"]),
        ("datetime", "2024-02-29T12:00:00Z", "2024-02-29T12:00:00Z"),
        ("datetime", "2024-02-29T12:00:00.123+02:00", "2024-02-29T12:00:00.123+02:00"),
    ],
)
def test_accepted_values_are_cleaned(kind: str, value: Any, cleaned: Any) -> None:
    result = engine.validate_input(flow_with(param("v", kind, True)), {"v": value})
    assert result == {"v": cleaned}
    assert type(result["v"]) is type(cleaned)


@pytest.mark.parametrize(
    ("kind", "value"),
    [
        ("string", 1),
        ("number", "1"),
        ("number", True),
        ("number", float("nan")),
        ("integer", 1.5),
        ("integer", 2**70),
        ("boolean", 0),
        ("object", []),
        ("list", {}),
        ("datetime", "2024-02-30T00:00:00Z"),
        ("datetime", "2024-02-01"),
        ("datetime", "2024-02-01T00:00:00"),
        ("string", "x" * (limits.MAX_STRING_LENGTH + 1)),
        ("list", list(range(limits.MAX_COLLECTION_ITEMS + 1))),
    ],
)
def test_rejected_values_name_the_parameter(kind: str, value: Any) -> None:
    with pytest.raises(engine.InputInvalid) as caught:
        engine.validate_input(flow_with(param("v", kind, True)), {"v": value})
    [issue] = caught.value.issues
    assert issue.field == "v"


def test_required_defaults_unknown_keys_all_reported_at_once() -> None:
    flow = flow_with(
        param("a", "integer", True),
        param("b", "string", True),
        param("c", "number", default=2),
        param("d", "object"),
    )
    with pytest.raises(engine.InputInvalid) as caught:
        engine.validate_input(flow, {"b": 5, "zzz": 1})
    assert {issue.field for issue in caught.value.issues} == {"a", "b", "zzz"}
    cleaned = engine.validate_input(flow, {"a": 1, "b": "x"})
    assert cleaned == {"a": 1, "b": "x", "c": 2.0, "d": None}


def test_null_counts_as_absent() -> None:
    flow = flow_with(param("a", "integer", default=3), param("b", "string", True))
    with pytest.raises(engine.InputInvalid):
        engine.validate_input(flow, {"b": None})
    assert engine.validate_input(flow, {"a": None, "b": "x"}) == {"a": 3, "b": "x"}


def test_non_object_input_is_refused() -> None:
    with pytest.raises(engine.InputInvalid):
        engine.validate_input(flow_with(), ["x"])  # type: ignore[arg-type]


def test_defaults_are_not_shared_between_runs() -> None:
    flow = flow_with(param("items", "list", default=[1]))
    first = engine.validate_input(flow, {})
    first["items"].append(2)
    assert engine.validate_input(flow, {}) == {"items": [1]}


def test_number_parameters_work_with_double_arithmetic(execute) -> None:
    doc = chain(
        output={"t": "amount * 1.05", "big": "amount > 1"},
        parameters=[param("amount", "number", True)],
    )
    assert execute(doc, {"amount": 100}).state.output == {"t": 105.0, "big": True}


def test_datetime_parameters_reach_cel_as_rfc3339_strings(execute) -> None:
    doc = chain(
        output={
            "later": "timestamp(when) + duration('90s')",
            "raw": "when",
            "d": "duration('90s')",
            "b": "b'hi'",
        },
        parameters=[param("when", "datetime", True)],
    )
    output = execute(doc, {"when": "2024-01-01T00:00:00Z"}).state.output
    assert output == {
        "later": "2024-01-01T00:01:30Z",
        "raw": "2024-01-01T00:00:00Z",
        "d": "90s",
        "b": "aGk=",
    }


def test_the_whole_input_is_capped_too() -> None:
    names = [f"p{i}" for i in range(25)]
    flow = flow_with(*(param(name, "string") for name in names))
    data = {name: "x" * limits.MAX_STRING_LENGTH for name in names}
    with pytest.raises(engine.InputInvalid) as caught:
        engine.validate_input(flow, data)
    assert "limit" in caught.value.issues[0].message
