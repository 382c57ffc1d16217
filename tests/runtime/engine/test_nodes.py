"""Each built-in node type, run through the engine."""

from __future__ import annotations

import json
from typing import Any

import pytest

from runtime import engine
from runtime.engine.transitions import NotWaiting, fire_transition
from tests.runtime.engine.conftest import (
    LOAN_QUOTE,
    assign,
    chain,
    document,
    edge,
    end,
    node,
    param,
)


@pytest.mark.parametrize(
    ("amount", "output", "taken"),
    [(100, {"total": 105.0, "approved": True}, "e3"), (5000, {"approved": False}, "e4")],
)
def test_loan_quote_takes_the_matching_branch(execute, amount, output, taken) -> None:
    result = execute(LOAN_QUOTE, {"amount": amount})
    assert result.state.status == "completed"
    assert result.state.output == output
    assert result.event("check").edge_id == taken
    assert result.state.path == ["start", "calc", "check", "ok" if taken == "e3" else "no"]


def test_start_puts_parameters_into_variables(execute) -> None:
    doc = chain(
        output={"x": "x", "y": "y"}, parameters=[param("x", "integer"), param("y", "string")]
    )
    result = execute(doc, {"x": 3})
    assert result.state.output == {"x": 3, "y": None}
    assert result.events[0].node_type == "start"


def test_assign_runs_in_order_and_later_assignments_see_earlier(execute) -> None:
    doc = chain(assign("a", x="1", y="x + 1", z="[x, y]"), output={"z": "z"})
    result = execute(doc)
    assert result.state.output == {"z": [1, 2]}
    assert result.event("a").output == {"x": 1, "y": 2, "z": [1, 2]}


def test_end_output_is_evaluated_and_finishes(execute) -> None:
    doc = chain(output={"id": "execution.id", "key": "execution.business_key", "n": "1 + 1"})
    result = execute(doc)
    assert result.state.output == {"id": "exec-1", "key": "bk-1", "n": 2}
    assert result.state.next_node is None
    assert result.flow.progress(result.state) == 100


def test_decision_takes_first_true_edge_in_document_order(execute) -> None:
    doc = document(
        [
            node("start", "start"),
            node("d", "decision"),
            end("a", r="'a'"),
            end("b", r="'b'"),
            end("c", r="'c'"),
        ],
        [
            edge("start", "d"),
            edge("d", "c", "dc", default=True),
            edge("d", "a", "da", condition="x > 1"),
            edge("d", "b", "db", condition="x > 0"),
        ],
        parameters=[param("x", "integer", True)],
    )
    assert execute(doc, {"x": 5}).state.output == {"r": "a"}
    assert execute(doc, {"x": 1}).state.output == {"r": "b"}
    assert execute(doc, {"x": 0}).state.output == {"r": "c"}


def test_conditions_work_on_any_node(execute) -> None:
    doc = document(
        [node("start", "start"), assign("a", x="2"), end("big", r="'big'"), end("small", r="'s'")],
        [
            edge("start", "a"),
            edge("a", "big", condition="x > 1"),
            edge("a", "small", default=True),
        ],
    )
    assert execute(doc).state.output == {"r": "big"}


def test_condition_that_is_not_boolean_fails_naming_the_edge(execute) -> None:
    doc = document(
        [node("start", "start"), node("d", "decision"), end("a"), end("b")],
        [edge("start", "d"), edge("d", "a", "bad", condition="1"), edge("d", "b", default=True)],
    )
    state = execute(doc).state
    assert state.status == "failed"
    assert state.error["type"] == "expression"
    assert "edges.bad.condition" in state.error["message"]


def test_expression_error_at_runtime_names_the_field(execute) -> None:
    doc = chain(assign("a", x="1 / zero"), parameters=[param("zero", "integer", default=0)])
    state = execute(doc).state
    assert state.error == {
        "node": "a",
        "type": "expression",
        "message": state.error["message"],
        "retryable": False,
    }
    assert state.error["message"].startswith("config.assignments[0].expression: ")
    assert "division by zero" in state.error["message"]


def test_log_appends_to_the_step_logs(execute) -> None:
    doc = chain(
        node("l1", "log", message="'hello ' + name", level="warning"),
        node("l2", "log", message="{'n': 1}"),
        parameters=[param("name", "string", True)],
    )
    result = execute(doc, {"name": "ada"})
    [first] = result.event("l1").logs
    assert first["level"] == "warning" and first["message"] == "hello ada"
    assert result.event("l2").logs[0] == {
        **result.event("l2").logs[0],
        "level": "info",
        "message": '{"n": 1}',
    }


@pytest.mark.parametrize("retryable", [True, False])
def test_fail_ends_the_execution_with_its_message(execute, retryable) -> None:
    doc = document(
        [
            node("start", "start"),
            node("f", "fail", message="'no: ' + string(n)", retryable=retryable),
        ],
        [edge("start", "f")],
        parameters=[param("n", "integer", default=7)],
    )
    state = execute(doc).state
    assert state.status == "failed"
    assert state.error == {"node": "f", "type": "fail", "message": "no: 7", "retryable": retryable}
    assert state.next_node == "f"


def test_delay_sleeps_through_the_injected_sleep(execute, clock) -> None:
    result = execute(chain(node("wait", "delay", seconds=2.5)))
    assert result.state.status == "completed"
    assert clock.sleeps == [2.5]
    assert result.event("wait").input == {"seconds": 2.5}


def test_delay_above_the_context_bound_fails_with_limit(execute, clock) -> None:
    state = execute(chain(node("wait", "delay", seconds=50)), max_delay_s=10).state
    assert state.error["type"] == "limit"
    assert clock.sleeps == []


def test_delay_that_would_pass_the_deadline_fails_with_timeout(execute, clock) -> None:
    state = execute(chain(node("wait", "delay", seconds=30)), deadline=clock.now + 10).state
    assert state.error["type"] == "timeout"
    assert clock.sleeps == []


def test_call_runs_the_child_and_stores_its_output(execute) -> None:
    calls: list[tuple[str, dict[str, Any]]] = []

    def run_child(key: str, data: dict[str, Any]) -> dict[str, Any]:
        calls.append((key, data))
        return {"total": data["amount"] * 2}

    doc = chain(
        node("c", "call", flow="child-flow", input={"amount": "x + 1.0"}, result_variable="r"),
        output={"r": "r.total"},
        parameters=[param("x", "number", True)],
    )
    result = execute(doc, {"x": 1}, run_child=run_child)
    assert calls == [("child-flow", {"amount": 2.0})]
    assert result.state.output == {"r": 4.0}
    assert result.event("c").input == {"flow": "child-flow", "input": {"amount": 2.0}}


def test_call_failure_from_the_child_fails_the_node(execute) -> None:
    def run_child(key: str, data: dict[str, Any]) -> dict[str, Any]:
        raise engine.NodeFailure("call", "child failed", retryable=False)

    state = execute(chain(node("c", "call", flow="child")), run_child=run_child).state
    assert state.error == {
        "node": "c",
        "type": "call",
        "message": "child failed",
        "retryable": False,
    }


def test_call_without_a_child_runner_fails_cleanly(execute) -> None:
    state = execute(chain(node("c", "call", flow="child"))).state
    assert state.error["type"] == "call"


def test_task_runs_like_call_in_a_process(execute) -> None:
    doc = chain(
        node("t", "task", flow="child", input={"a": "1"}, result_variable="out"),
        output={"out": "out"},
        kind="process",
    )
    result = execute(doc, run_child=lambda key, data: {"key": key, **data})
    assert result.state.output == {"out": {"key": "child", "a": 1}}


def _approval(automatic: dict[str, Any] | None = None) -> dict[str, Any]:
    edges = [
        edge("start", "review"),
        edge("review", "done", "approve", trigger="manual", name="approve", label="Approve"),
        edge("review", "rejected", "timer", trigger="scheduled", after_s=3600),
        edge("review", "rejected", "evt", trigger="event", event="cancelled"),
    ]
    if automatic is not None:
        edges.insert(1, edge("review", "fast", "auto", trigger="automatic", **automatic))
    return document(
        [
            node("start", "start"),
            node("review", "state", label="Review", assignee="alice"),
            end("done", outcome="'approved:' + transition.input.note"),
            end("rejected", outcome="'rejected'"),
            end("fast", outcome="'fast'"),
        ],
        edges,
        kind="process",
        parameters=[param("amount", "number", default=10)],
    )


def test_state_waits_for_its_transitions_and_resumes_on_one(execute, make_context) -> None:
    doc = _approval()
    del doc["graph"]["nodes"][-1]
    result = execute(doc)
    state = result.state
    assert state.status == "waiting"
    assert state.next_node == "review"
    assert [(w["name"], w["trigger"], w["label"]) for w in state.waiting_for] == [
        ("approve", "manual", "Approve"),
        ("timer", "scheduled", "timer"),
        ("evt", "event", "evt"),
    ]
    assert state.waiting_for[1]["after_s"] == 3600
    assert state.waiting_for[2]["event"] == "cancelled"
    assert engine.run(result.flow, state, engine.NullObserver(), make_context()).status == "waiting"
    with pytest.raises(NotWaiting):
        fire_transition(result.flow, state, "nope")
    fire_transition(result.flow, state, "approve", {"note": "ok"})
    final = engine.run(result.flow, state, engine.RecordingObserver(), make_context())
    assert final.status == "completed"
    assert final.output == {"outcome": "approved:ok"}


def test_state_event_transition_fires_by_event_name(execute, make_context) -> None:
    doc = _approval()
    del doc["graph"]["nodes"][-1]
    result = execute(doc)
    fire_transition(result.flow, result.state, "cancelled")
    final = engine.run(result.flow, result.state, engine.NullObserver(), make_context())
    assert final.output == {"outcome": "rejected"}


@pytest.mark.parametrize(
    ("automatic", "status"),
    [
        ({"condition": "amount > 5.0"}, "completed"),
        ({"condition": "amount > 50.0"}, "waiting"),
        ({}, "completed"),
        ({"default": True}, "completed"),
    ],
)
def test_state_takes_automatic_transitions_on_entry(execute, automatic, status) -> None:
    state = execute(_approval(automatic)).state
    assert state.status == status
    if status == "completed":
        assert state.output == {"outcome": "fast"}


def test_scheduled_at_is_evaluated_when_entering_the_state(execute) -> None:
    doc = document(
        [node("start", "start"), node("s", "state"), end()],
        [
            edge("start", "s"),
            edge("s", "end", "t", trigger="scheduled", at="timestamp(due) + duration('1h')"),
        ],
        kind="process",
        parameters=[param("due", "datetime", True)],
    )
    state = execute(doc, {"due": "2024-01-01T00:00:00Z"}).state
    assert state.waiting_for[0]["at"] == "2024-01-01T01:00:00Z"


def test_registry_lists_every_builtin_type_with_schema_and_ports() -> None:
    types = {entry["type"]: entry for entry in engine.node_types()}
    assert set(types) >= {
        "start",
        "end",
        "assign",
        "decision",
        "http",
        "call",
        "log",
        "fail",
        "delay",
        "task",
        "state",
    }
    for entry in types.values():
        assert set(entry) >= {
            "type",
            "label",
            "category",
            "icon",
            "description",
            "kinds",
            "config_schema",
            "ports",
        }
        assert entry["config_schema"]["type"] == "object"
    assert types["task"]["kinds"] == ["process"] and types["state"]["kinds"] == ["process"]
    assert types["start"]["ports"]["inputs"] == []
    assert types["end"]["ports"]["outputs"] == []
    assert types["decision"]["requires_default_edge"] is True
    assert any(p["kind"] == "default" for p in types["decision"]["ports"]["outputs"])
    assert any(p["kind"] == "error" for p in types["http"]["ports"]["outputs"])
    assert types["assign"]["expression_fields"] == ["assignments.*.expression"]


def test_edge_schema_describes_conditions_flags_and_triggers() -> None:
    schema = engine.edge_schema()
    props = schema["properties"]
    assert {
        "condition",
        "default",
        "on_error",
        "trigger",
        "name",
        "label",
        "after_s",
        "at",
        "event",
    } <= set(props)
    assert props["trigger"]["enum"] == ["manual", "automatic", "scheduled", "event"]


def test_a_new_node_type_is_one_registration() -> None:
    def run(node_, scope):
        scope.set("seen", node_.config["value"])

    engine.register(
        engine.NodeType(
            type="test-constant",
            label="Constant",
            category="test",
            icon="box",
            description="sets seen",
            kinds=frozenset({"micro"}),
            config_schema={"type": "object", "properties": {"value": {"type": "integer"}}},
            run=run,
        )
    )
    try:
        doc = chain(node("k", "test-constant", value=4), output={"seen": "seen"})
        flow = engine.compile_flow(doc)
        state = engine.run(
            flow, engine.ExecutionState.start(flow, {}), engine.NullObserver(), engine.RunContext()
        )
        assert state.output == {"seen": 4}
        bad = chain(node("k", "test-constant", value="x"))
        assert any(i.field == "config.value" for i in engine.validate(bad))
    finally:
        engine.registry._TYPES.pop("test-constant")


def test_registry_schemas_are_valid_json_schema_and_serialisable() -> None:
    from jsonschema import Draft202012Validator

    from runtime.engine.schemas import document_schema

    for entry in engine.node_types():
        Draft202012Validator.check_schema(entry["config_schema"])
    Draft202012Validator.check_schema(engine.edge_schema())
    Draft202012Validator.check_schema(document_schema())
    assert json.loads(json.dumps(engine.node_types()))


def test_assign_and_end_steps_show_the_variables_they_read(execute: Any) -> None:
    doc = chain(
        assign("a", total="amount * 2.0", label="'x'"),
        output={"total": "total", "who": "customer"},
        parameters=[param("amount", "number"), param("customer", "string")],
    )
    result = execute(doc, {"amount": 3, "customer": "ada"})
    assert result.event("a").input == {"amount": 3.0}
    assert result.event("end").input == {"total": 6.0, "customer": "ada"}
