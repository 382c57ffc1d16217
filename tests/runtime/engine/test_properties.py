"""Property-based tests: random graphs, garbage documents, pause/resume anywhere."""

from __future__ import annotations

import copy
import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from runtime import engine
from runtime.engine.celscan import scan
from tests.runtime.engine.conftest import LOAN_QUOTE, FakeClock, document, edge, end, node, param

VALUES = [
    "x + 1",
    "v + 1",
    "x * 2",
    "[x, x]",
    "'s' + string(x)",
    "x / 0",
    "{'a': x}",
    "size([1, 2, 3])",
    "v",
    "execution.id",
]
CONDITIONS = ["x > 0", "x % 2 == 0", "true", "false", "v > 3", "1", "x == 7", "v == null"]
UNCHECKED = "the document could not be checked"
SETTINGS = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@st.composite
def middle_node(draw: st.DrawFn, node_id: str) -> dict[str, Any]:
    kind = draw(st.sampled_from(["assign", "assign", "decision", "log", "delay"]))
    if kind == "assign":
        count = draw(st.integers(1, 3))
        return node(
            node_id,
            "assign",
            assignments=[
                {
                    "variable": draw(st.sampled_from(["v", "w", "x"])),
                    "expression": draw(st.sampled_from(VALUES)),
                }
                for _ in range(count)
            ],
        )
    if kind == "log":
        return node(node_id, "log", message=draw(st.sampled_from(VALUES)))
    if kind == "delay":
        return node(node_id, "delay", seconds=draw(st.sampled_from([0, 0.5, 2])))
    return node(node_id, "decision")


@st.composite
def valid_flow(draw: st.DrawFn) -> dict[str, Any]:
    """A spine start → m0 → … → end keeps every node reachable and finishing; random
    conditional, looping, failing and error edges are added around it."""
    count = draw(st.integers(1, 7))
    middle = [draw(middle_node(f"m{i}")) for i in range(count)]
    extras = [end("end2", v="v"), node("oops", "fail", message="'failed at ' + string(x)")]
    nodes = [node("start", "start"), *middle, end("end", x="x", v="v", w="w"), *extras]
    spine = ["start", *(m["id"] for m in middle), "end"]
    targets = [m["id"] for m in middle] + ["end", "end2", "oops"]
    edges: list[dict[str, Any]] = [edge("start", spine[1], "s0")]
    for index, current in enumerate(middle):
        following = spine[index + 2]
        for branch in range(draw(st.integers(0, 2))):
            edges.append(
                edge(
                    current["id"],
                    draw(st.sampled_from(targets)),
                    f"c{index}-{branch}",
                    condition=draw(st.sampled_from(CONDITIONS)),
                )
            )
        if current["type"] == "decision":
            edges.append(edge(current["id"], following, f"d{index}", default=True))
        else:
            edges.append(edge(current["id"], following, f"n{index}"))
        if current["type"] != "decision" and draw(st.booleans()):
            edges.append(
                edge(current["id"], draw(st.sampled_from(targets)), f"e{index}", on_error=True)
            )
    edges.append(
        edge(
            draw(st.sampled_from([m["id"] for m in middle])), "end2", "x-end2", condition="x == -1"
        )
    )
    edges.append(
        edge(
            draw(st.sampled_from([m["id"] for m in middle])), "oops", "x-oops", condition="x == -2"
        )
    )
    edges = _decisions_first(edges, middle)
    return document(
        nodes,
        edges,
        parameters=[
            param("x", "integer", True),
            param("v", "integer", default=0),
            param("w", "string", default=""),
        ],
    )


def _decisions_first(edges: list[dict[str, Any]], middle: list[dict[str, Any]]) -> list:
    """Conditional edges of a non-decision node must come before its unconditional one."""
    order = {id(e): i for i, e in enumerate(edges)}
    return sorted(
        edges,
        key=lambda e: (
            "condition" not in e and not e.get("on_error") and not e.get("default"),
            order[id(e)],
        ),
    )


def _run(flow: engine.CompiledFlow, state: engine.ExecutionState, **context: Any):
    clock = FakeClock()
    ctx = engine.RunContext(
        execution={"id": "e", "business_key": None},
        sleep=clock.sleep,
        monotonic=clock.monotonic,
        max_steps=150,
        **context,
    )
    return engine.run(flow, state, engine.RecordingObserver(), ctx)


@SETTINGS
@given(valid_flow(), st.integers(-3, 9))
def test_random_valid_graphs_complete_or_fail_without_raising(doc: dict, x: int) -> None:
    assert engine.validate(doc) == []
    flow = engine.compile_flow(doc)
    state = engine.ExecutionState.start(flow, engine.validate_input(flow, {"x": x}))
    state = _run(flow, state)
    assert state.status in ("completed", "failed")
    if state.status == "failed":
        assert set(state.error) == {"node", "type", "message", "retryable"}
    json.dumps(state.to_json())
    assert 0 <= flow.progress(state) <= 100


@SETTINGS
@given(valid_flow(), st.integers(-3, 9), st.integers(0, 40))
def test_pausing_anywhere_and_resuming_gives_the_same_result(doc: dict, x: int, k: int) -> None:
    flow = engine.compile_flow(doc)
    cleaned = engine.validate_input(flow, {"x": x})
    whole = _run(flow, engine.ExecutionState.start(flow, cleaned))
    boundaries = {"n": 0, "limit": k}

    def pause() -> bool:
        boundaries["n"] += 1
        return boundaries["n"] > boundaries["limit"]

    state = _run(flow, engine.ExecutionState.start(flow, cleaned), should_pause=pause)
    boundaries["limit"] = k % 4 + 1
    while state.status == "paused":
        state = engine.ExecutionState.from_json(json.loads(json.dumps(state.to_json())))
        boundaries["n"] = 0
        state = _run(flow, state, should_pause=pause)
    assert (state.status, state.output, state.error) == (whole.status, whole.output, whole.error)
    assert state.variables == whole.variables
    assert state.path == whole.path and state.seq == whole.seq


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=30,
)


@SETTINGS
@given(JSON)
def test_garbage_documents_give_issues_never_exceptions(garbage: Any) -> None:
    issues = engine.validate(garbage)
    assert issues and all(isinstance(issue, engine.Issue) for issue in issues)
    assert not any(issue.message.startswith(UNCHECKED) for issue in issues)


def _paths(value: Any, prefix: tuple = ()) -> list[tuple]:
    found = [prefix]
    if isinstance(value, dict):
        for key, item in value.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            found += _paths(item, (*prefix, index))
    return found


@st.composite
def mutated(draw: st.DrawFn) -> dict[str, Any]:
    doc = copy.deepcopy(LOAN_QUOTE)
    for _ in range(draw(st.integers(1, 3))):
        paths = [p for p in _paths(doc) if p]
        path = draw(st.sampled_from(paths))
        parent = doc
        for part in path[:-1]:
            parent = parent[part]
        action = draw(st.sampled_from(["replace", "delete", "duplicate"]))
        if action == "replace":
            parent[path[-1]] = draw(JSON)
        elif action == "delete":
            del parent[path[-1]]
        elif isinstance(parent, list):
            parent.append(copy.deepcopy(parent[path[-1]]))
    return doc


@SETTINGS
@given(mutated())
def test_mutated_documents_either_give_issues_or_compile_and_run(doc: dict) -> None:
    issues = engine.validate(doc)
    assert all(isinstance(issue, engine.Issue) for issue in issues)
    assert not any(issue.message.startswith(UNCHECKED) for issue in issues)
    if issues:
        return
    flow = engine.compile_flow(doc)
    try:
        cleaned = engine.validate_input(flow, {"amount": 5})
    except engine.InputInvalid:
        return
    state = _run(flow, engine.ExecutionState.start(flow, cleaned))
    assert state.status in ("completed", "failed")


@SETTINGS
@given(
    st.sampled_from(
        [
            "unknown-type",
            "dangling-edge",
            "drop-start",
            "bad-kind",
            "dup-node",
            "bad-expression",
            "no-default",
            "bad-parameter",
        ]
    ),
    JSON,
)
def test_invalidating_mutations_are_always_reported(mutation: str, noise: Any) -> None:
    doc = copy.deepcopy(LOAN_QUOTE)
    nodes, edges = doc["graph"]["nodes"], doc["graph"]["edges"]
    if mutation == "unknown-type":
        nodes[1]["type"] = f"zz{noise!r}"
    elif mutation == "dangling-edge":
        edges[0]["target"] = f"ghost{noise!r}"
    elif mutation == "drop-start":
        del nodes[0]
    elif mutation == "bad-kind":
        doc["kind"] = noise if noise not in ("micro", "process") else None
    elif mutation == "dup-node":
        nodes.append(copy.deepcopy(nodes[2]))
    elif mutation == "bad-expression":
        nodes[1]["config"]["assignments"][0]["expression"] = f"({noise!r}"
    elif mutation == "no-default":
        del edges[3]["default"]
    else:
        doc["parameters"][0]["type"] = noise if not isinstance(noise, str) else f"x{noise}"
    issues = engine.validate(doc)
    assert issues and not any(issue.message.startswith(UNCHECKED) for issue in issues)


@SETTINGS
@given(st.text(max_size=300))
def test_check_expression_and_scan_never_raise(source: str) -> None:
    issue = engine.check_expression(source)
    assert issue is None or isinstance(issue.message, str)
    shape = scan(source)
    assert shape.length == len(source)
