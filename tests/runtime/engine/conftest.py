"""Factories for flow documents and runs, shared by the engine tests (pure Python, no Django)."""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from itertools import pairwise
from typing import Any

import pytest

from runtime import engine

Node = dict[str, Any]
Edge = dict[str, Any]


def node(node_id: str, node_type: str, **config: Any) -> Node:
    """A node; keyword arguments become its config (`retry=` goes on the node itself)."""
    retry = config.pop("retry", None)
    built: Node = {"id": node_id, "type": node_type}
    if config:
        built["config"] = config
    if retry is not None:
        built["retry"] = retry
    return built


def edge(source: str, target: str, edge_id: str | None = None, **fields: Any) -> Edge:
    return {"id": edge_id or f"{source}-{target}", "source": source, "target": target, **fields}


def assign(node_id: str, **assignments: str) -> Node:
    return node(
        node_id,
        "assign",
        assignments=[{"variable": k, "expression": v} for k, v in assignments.items()],
    )


def end(node_id: str = "end", **output: str) -> Node:
    return node(node_id, "end", output=output)


def document(
    nodes: Iterable[Node],
    edges: Iterable[Edge],
    *,
    parameters: list[dict[str, Any]] | None = None,
    kind: str = "micro",
    key: str = "test-flow",
) -> dict[str, Any]:
    return {
        "key": key,
        "name": key.replace("-", " ").title(),
        "kind": kind,
        "description": "",
        "parameters": parameters or [],
        "graph": {"nodes": list(nodes), "edges": list(edges)},
    }


def chain(*middle: Node, output: dict[str, str] | None = None, **kwargs: Any) -> dict[str, Any]:
    """start → middle… → end, wired in order."""
    nodes = [node("start", "start"), *middle, end("end", **(output or {}))]
    edges = [edge(a["id"], b["id"]) for a, b in pairwise(nodes)]
    return document(nodes, edges, **kwargs)


def param(name: str, kind: str, required: bool = False, **extra: Any) -> dict[str, Any]:
    return {"name": name, "type": kind, "required": required, **extra}


LOAN_QUOTE: dict[str, Any] = document(
    [
        node("start", "start"),
        assign("calc", total="amount * 1.05"),
        node("check", "decision"),
        end("ok", total="total", approved="true"),
        end("no", approved="false"),
    ],
    [
        edge("start", "calc", "e1"),
        edge("calc", "check", "e2"),
        edge("check", "ok", "e3", condition="total < 1000.0"),
        edge("check", "no", "e4", default=True),
    ],
    parameters=[param("amount", "number", True), param("customer", "object")],
    key="loan-quote",
)


@dataclass
class FakeClock:
    """A monotonic clock that only moves when the engine sleeps."""

    now: float = 1000.0
    sleeps: list[float] = field(default_factory=list)

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


@dataclass
class Result:
    state: engine.ExecutionState
    observer: engine.RecordingObserver
    flow: engine.CompiledFlow

    @property
    def events(self) -> list[engine.StepEvent]:
        return self.observer.events

    def event(self, node_id: str) -> engine.StepEvent:
        return next(e for e in self.events if e.node_id == node_id)


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def make_context(clock: FakeClock) -> Callable[..., engine.RunContext]:
    def make(**overrides: Any) -> engine.RunContext:
        values: dict[str, Any] = {
            "execution": {"id": "exec-1", "business_key": "bk-1"},
            "sleep": clock.sleep,
            "monotonic": clock.monotonic,
        }
        values.update(overrides)
        return engine.RunContext(**values)

    return make


@pytest.fixture
def execute(make_context: Callable[..., engine.RunContext]) -> Callable[..., Result]:
    """Compile, validate the input, run to the end; context overrides as keyword arguments."""

    def run(
        doc: dict[str, Any],
        data: dict[str, Any] | None = None,
        flow_lookup: Callable[[str], dict[str, Any] | None] | None = None,
        **context: Any,
    ) -> Result:
        flow = engine.compile_flow(copy.deepcopy(doc), flow_lookup=flow_lookup)
        state = engine.ExecutionState.start(flow, engine.validate_input(flow, data or {}))
        observer = engine.RecordingObserver()
        state = engine.run(flow, state, observer, make_context(**context))
        return Result(state, observer, flow)

    return run


def issues_of(doc: Any, **kwargs: Any) -> list[engine.Issue]:
    return engine.validate(doc, **kwargs)


def messages(issues: Iterable[engine.Issue]) -> str:
    return "\n".join(f"{i.node}|{i.edge}|{i.field}|{i.message}" for i in issues)
