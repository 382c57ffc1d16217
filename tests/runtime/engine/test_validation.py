"""Validation: every kind of problem, all reported at once and located."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from runtime import engine
from tests.runtime.engine.conftest import (
    LOAN_QUOTE,
    assign,
    chain,
    document,
    edge,
    end,
    issues_of,
    messages,
    node,
    param,
)


def only(issues: list[engine.Issue], **where: Any) -> list[engine.Issue]:
    return [i for i in issues if all(getattr(i, k) == v for k, v in where.items())]


def test_a_valid_document_has_no_issues() -> None:
    assert issues_of(LOAN_QUOTE) == []


@pytest.mark.parametrize("garbage", [None, 1, "x", [], {}, {"graph": []}, {"graph": {"nodes": 1}}])
def test_garbage_gives_issues_not_exceptions(garbage: Any) -> None:
    assert issues_of(garbage)


def test_structural_problems_are_located() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    doc["key"] = "Not A Slug"
    doc["kind"] = "macro"
    doc["parameters"][0]["type"] = "money"
    issues = issues_of(doc)
    assert only(issues, field="key")
    assert only(issues, field="kind")
    assert only(issues, field="parameters[0].type")


def test_structural_issue_under_a_node_names_the_node() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    doc["graph"]["nodes"][1]["retry"] = {"max_attempts": 0}
    [issue] = issues_of(doc)
    assert (issue.node, issue.field) == ("calc", "retry.max_attempts")


def test_unknown_node_type() -> None:
    issues = issues_of(chain(node("x", "teleport")))
    assert only(issues, node="x", field="type")[0].message == "unknown node type 'teleport'"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (node("a", "assign", assignments="x"), "config.assignments"),
        (node("a", "assign", assignments=[]), "config.assignments"),
        (
            node("a", "assign", assignments=[{"variable": "1x", "expression": "1"}]),
            "config.assignments[0].variable",
        ),
        (node("a", "http", url="'https://x'", method="FETCH"), "config.method"),
        (node("a", "http", url="'https://x'", headers={"Bad Header": "'v'"}), "config.headers"),
        (node("a", "log", message="'x'", colour="red"), "config"),
        (node("a", "delay", seconds=-1), "config.seconds"),
        (node("a", "call", flow="Not Slug"), "config.flow"),
    ],
)
def test_bad_config_is_reported_with_its_field(bad: dict[str, Any], field: str) -> None:
    issues = issues_of(chain(bad))
    assert only(issues, node="a", field=field), messages(issues)


def test_expression_that_does_not_compile_has_a_position() -> None:
    issues = issues_of(chain(assign("a", x="1 +"), assign("b", y="ok", z="(1 + 2")))
    first = only(issues, node="a", field="config.assignments[0].expression")[0]
    assert first.position == 3
    second = only(issues, node="b", field="config.assignments[1].expression")[0]
    assert second.position == 6
    assert len(issues) == 2


def test_edge_condition_that_does_not_compile_names_the_edge() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    doc["graph"]["edges"][2]["condition"] = "total <"
    [issue] = issues_of(doc)
    assert (issue.edge, issue.field) == ("e3", "condition")


def test_no_start_and_two_starts() -> None:
    assert "needs a start" in messages(issues_of(document([end()], [])))
    doc = chain()
    doc["graph"]["nodes"].append(node("start2", "start"))
    doc["graph"]["edges"].append(edge("start2", "end"))
    assert only(issues_of(doc), node="start2")


def test_duplicate_node_and_edge_ids() -> None:
    doc = chain(assign("a", x="1"))
    doc["graph"]["nodes"].append(assign("a", y="2"))
    doc["graph"]["edges"].append(edge("a", "end", "start-a"))
    issues = issues_of(doc)
    assert only(issues, node="a", field="id")
    assert only(issues, edge="start-a", field="id")


def test_edge_to_or_from_nowhere() -> None:
    doc = chain()
    doc["graph"]["edges"] += [edge("start", "ghost", "e-to"), edge("ghost2", "end", "e-from")]
    issues = issues_of(doc)
    assert only(issues, edge="e-to", field="target")
    assert only(issues, edge="e-from", field="source")


def test_edge_into_start_is_refused() -> None:
    doc = chain(assign("a", x="1"))
    doc["graph"]["edges"].append(edge("a", "start", "back", condition="x > 5"))
    assert only(issues_of(doc), edge="back", field="target")


def test_unreachable_node() -> None:
    doc = chain()
    doc["graph"]["nodes"].append(assign("island", x="1"))
    doc["graph"]["edges"].append(edge("island", "end"))
    assert only(issues_of(doc), node="island")[0].message.startswith("this node cannot be reached")


def test_node_from_which_no_end_can_be_reached() -> None:
    doc = document(
        [node("start", "start"), node("d", "decision"), assign("spin", x="1"), end()],
        [
            edge("start", "d"),
            edge("d", "end", condition="true"),
            edge("d", "spin", default=True),
            edge("spin", "spin", "loop"),
        ],
    )
    [issue] = issues_of(doc)
    assert (issue.node, issue.message) == ("spin", "no end can be reached from this node")


def test_fail_counts_as_an_end_and_states_reach_ends_through_transitions() -> None:
    assert issues_of(chain(node("f", "fail", message="'x'"))) != []
    doc = document(
        [node("start", "start"), node("d", "decision"), node("f", "fail", message="'x'"), end()],
        [edge("start", "d"), edge("d", "f", condition="true"), edge("d", "end", default=True)],
    )
    assert issues_of(doc) == []
    process = document(
        [node("start", "start"), node("s", "state"), end()],
        [edge("start", "s"), edge("s", "end", "go", trigger="manual", name="go")],
        kind="process",
    )
    assert issues_of(process) == []


def test_no_end_at_all() -> None:
    doc = document([node("start", "start"), assign("a", x="1")], [edge("start", "a")])
    assert "the flow needs an end node" in messages(issues_of(doc))


def test_end_and_fail_cannot_have_outgoing_edges() -> None:
    doc = chain(assign("a", x="1"))
    doc["graph"]["edges"].append(edge("end", "a", "after-end"))
    assert only(issues_of(doc), edge="after-end")


def test_decision_without_default_edge() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    doc["graph"]["edges"][3]["default"] = False
    doc["graph"]["edges"][3]["condition"] = "true"
    assert "needs a default edge" in only(issues_of(doc), node="check")[0].message


def test_decision_edge_without_condition() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    del doc["graph"]["edges"][2]["condition"]
    assert only(issues_of(doc), edge="e3", field="condition")


def test_unconditional_edge_shadows_later_ones() -> None:
    doc = document(
        [node("start", "start"), assign("a", x="1"), end("b"), end("c")],
        [edge("start", "a"), edge("a", "b", "first"), edge("a", "c", "second")],
    )
    assert only(issues_of(doc), edge="first", field="condition")


def test_edge_flag_conflicts() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    doc["graph"]["edges"][3]["on_error"] = True
    doc["graph"]["edges"].append(edge("check", "ok", "e5", default=True, condition="true"))
    issues = issues_of(doc)
    assert only(issues, edge="e4", field="default")
    assert only(issues, edge="e5", field="condition")


def test_more_than_one_default_or_error_edge() -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    doc["graph"]["edges"].append(edge("check", "ok", "e5", default=True))
    doc["graph"]["edges"] += [
        edge("calc", "no", "x1", on_error=True),
        edge("calc", "ok", "x2", on_error=True),
    ]
    issues = issues_of(doc)
    assert only(issues, edge="e5", field="default")
    assert only(issues, edge="x2", field="on_error")


def test_error_edge_not_allowed_on_start() -> None:
    doc = chain()
    doc["graph"]["edges"].append(edge("start", "end", "oops", on_error=True))
    assert only(issues_of(doc), edge="oops", field="on_error")


@pytest.mark.parametrize("process_only", ["task", "state"])
def test_process_only_node_in_a_microflow(process_only: str) -> None:
    config = {"flow": "child"} if process_only == "task" else {}
    doc = chain(node("p", process_only, **config))
    if process_only == "state":
        doc["graph"]["edges"][1].update(trigger="manual", name="go")
    issues = issues_of(doc)
    assert only(issues, node="p", field="type")[0].message.startswith(
        f"{process_only} nodes belong"
    )


def test_transitions_need_triggers_and_their_fields() -> None:
    doc = document(
        [node("start", "start"), node("s", "state"), assign("a", x="1"), end()],
        [
            edge("start", "s"),
            edge("s", "end", "none"),
            edge("s", "end", "m1", trigger="manual"),
            edge("s", "end", "m2", trigger="manual", name="go"),
            edge("s", "end", "m3", trigger="manual", name="go"),
            edge("s", "end", "sch", trigger="scheduled"),
            edge("s", "end", "sch2", trigger="scheduled", after_s=1, at="'x'"),
            edge("s", "a", "ev", trigger="event"),
            edge("a", "end", "trig", trigger="manual", name="x"),
        ],
        kind="process",
    )
    issues = issues_of(doc)
    assert only(issues, edge="none", field="trigger")
    assert only(issues, edge="m1", field="name")
    assert only(issues, edge="m3", field="name")
    assert only(issues, edge="sch", field="after_s")
    assert only(issues, edge="sch2", field="after_s")
    assert only(issues, edge="ev", field="event")
    assert only(issues, edge="trig", field="trigger")
    assert not only(issues, edge="m2")


FLOWS: dict[str, dict[str, Any]] = {
    "child": chain(parameters=[param("a", "integer", True), param("b", "integer")], key="child"),
    "proc": chain(kind="process", key="proc"),
    "loop-a": chain(node("c", "call", flow="loop-b"), key="loop-a"),
    "loop-b": chain(node("c", "call", flow="loop-a"), key="loop-b"),
}


def lookup(key: str) -> dict[str, Any] | None:
    return FLOWS.get(key)


def test_call_target_checks_need_a_lookup() -> None:
    doc = chain(node("c", "call", flow="missing"))
    assert issues_of(doc) == []
    assert "no published flow 'missing'" in messages(issues_of(doc, flow_lookup=lookup))


def test_call_target_must_be_a_microflow_taking_the_given_input() -> None:
    doc = chain(node("c", "call", flow="proc"), node("d", "call", flow="child", input={"z": "1"}))
    issues = issues_of(doc, flow_lookup=lookup)
    assert "'proc' is not a microflow" in messages(only(issues, node="c"))
    assert only(issues, node="d", field="config.input.z")
    assert "requires 'a'" in messages(only(issues, node="d", field="config.input"))
    ok = chain(node("d", "call", flow="child", input={"a": "1"}))
    assert issues_of(ok, flow_lookup=lookup) == []


def test_direct_and_indirect_recursion_is_refused() -> None:
    direct = chain(node("c", "call", flow="self"), key="self")
    issues = issues_of(direct, flow_lookup=lambda k: direct if k == "self" else None)
    assert "recurse" in only(issues, node="c", field="config.flow")[0].message
    indirect = chain(node("c", "call", flow="loop-a"), key="outer")
    [issue] = issues_of(indirect, flow_lookup=lookup)
    assert "loop-a → loop-b → loop-a" in issue.message


def test_lookup_that_raises_is_treated_as_missing() -> None:
    def broken(key: str) -> dict[str, Any] | None:
        raise RuntimeError("db down")

    issues = issues_of(chain(node("c", "call", flow="x")), flow_lookup=broken)
    assert "no published flow" in messages(issues)


def test_delay_above_the_maximum() -> None:
    doc = chain(node("w", "delay", seconds=301))
    assert only(issues_of(doc), node="w", field="config.seconds")
    assert issues_of(doc, max_delay_s=1000) == []


def test_parameter_problems() -> None:
    doc = chain(
        parameters=[
            param("a", "integer", default="x"),
            param("a", "string"),
            param("execution", "string"),
        ]
    )
    issues = issues_of(doc)
    assert only(issues, field="parameters[0].default")
    assert only(issues, field="parameters[1].name")
    assert only(issues, field="parameters[2].name")[0].message == "'execution' is a reserved name"


def test_reserved_variable_name() -> None:
    issues = issues_of(chain(assign("a", execution="1")))
    assert only(issues, node="a", field="config.assignments[0].variable")


@pytest.mark.parametrize(
    ("source", "fragment"),
    [
        ("1 + " * 600 + "1", "characters long"),
        ("l.map(a, l.map(b, l.map(c, a + b + c)))", "nest 3 deep"),
        ("(" * 40 + "1" + ")" * 40, "brackets nest"),
    ],
)
def test_sandbox_shape_limits_are_validation_issues(source: str, fragment: str) -> None:
    [issue] = issues_of(chain(assign("a", x=source)))
    assert fragment in issue.message
    assert issue.position is not None


def test_retry_backoff_ceiling_below_backoff() -> None:
    doc = chain(
        node("w", "delay", seconds=1, retry={"max_attempts": 2, "backoff_s": 5, "max_backoff_s": 1})
    )
    assert only(issues_of(doc), node="w", field="retry.max_backoff_s")


def test_all_problems_are_reported_at_once() -> None:
    doc = document(
        [node("a", "assign"), node("b", "teleport"), node("d", "decision"), end()],
        [edge("a", "zz")],
    )
    issues = issues_of(doc)
    text = messages(issues)
    for fragment in (
        "needs a start",
        "unknown node type",
        "default edge",
        "'zz'",
        "'assignments' is a required property",
    ):
        assert fragment in text
    assert all(isinstance(i.as_dict(), dict) for i in issues)


def test_compile_flow_raises_flow_invalid_with_every_issue() -> None:
    doc = chain(node("x", "teleport"), assign("a", y="1 +"))
    with pytest.raises(engine.FlowInvalid) as caught:
        engine.compile_flow(doc)
    assert len(caught.value.issues) == 2


def test_issue_as_dict_has_every_key() -> None:
    assert engine.Issue("m", node="n").as_dict() == {
        "node": "n",
        "edge": None,
        "field": None,
        "message": "m",
        "position": None,
    }


@pytest.mark.parametrize(
    ("source", "position"),
    [("1 +", 3), ("a.b(", 4), ("   )", 3), ("'é' + 1 +", 9), ("x +\n  +", 6), ("", 0)],
)
def test_check_expression_reports_character_offsets(source: str, position: int) -> None:
    issue = engine.check_expression(source)
    assert issue is not None and issue.position == position


def test_check_expression_accepts_good_ones() -> None:
    for source in (
        "amount * 1.05",
        "[1, 2].map(x, x * 2)",
        "has(m.a) && m.a > 1",
        "timestamp('2024-01-01T00:00:00Z') < timestamp(d)",
        "// c\n1",
    ):
        assert engine.check_expression(source) is None, source
