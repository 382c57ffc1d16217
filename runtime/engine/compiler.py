"""Compile a validated document into an immutable, indexed form the runner walks quickly."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from runtime.engine import limits, registry
from runtime.engine.errors import FlowInvalid
from runtime.engine.expressions import Expression
from runtime.engine.fields import expression_slots
from runtime.engine.inputs import coerce
from runtime.engine.validation import FlowLookup, validate

if TYPE_CHECKING:
    from runtime.engine.state import ExecutionState


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Node-level retries: exponential backoff with jitter, capped."""

    max_attempts: int = 1
    backoff_s: float = 1.0
    max_backoff_s: float = 60.0


@dataclass(frozen=True, slots=True)
class CompiledEdge:
    id: str
    source: str
    target: str
    condition: Expression | None
    at: Expression | None
    default: bool
    on_error: bool
    trigger: str | None
    data: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class CompiledNode:
    """A node with its expressions compiled and its outgoing edges sorted by role.

    `outgoing` is every edge leaving it in document order; `routes` are the normal ones with the
    default edge last; `error_edge` catches failures; `transitions` are a state's triggers.
    """

    id: str
    type: str
    node_type: registry.NodeType
    config: Mapping[str, Any]
    outgoing: tuple[CompiledEdge, ...]
    routes: tuple[CompiledEdge, ...]
    error_edge: CompiledEdge | None
    transitions: tuple[CompiledEdge, ...]
    retry: RetryPolicy | None
    terminal: bool


@dataclass(frozen=True)
class CompiledFlow:
    """An executable flow: nodes by id, every expression compiled once."""

    key: str
    name: str
    kind: str
    parameters: tuple[dict[str, Any], ...]
    document: Mapping[str, Any]
    nodes: Mapping[str, CompiledNode]
    start: str
    remaining: Mapping[str, int]
    longest: int

    @property
    def node_count(self) -> int:
        return len(self.nodes)

    @property
    def pure(self) -> bool:
        """Every node is pure: a run acts on nothing but its own variables."""
        return all(node.node_type.pure for node in self.nodes.values())

    def progress(self, state: ExecutionState) -> int:
        """0-100 from the longest path left from the current node; 100 only once completed."""
        if state.status == "completed":
            return 100
        if state.next_node is None or self.longest == 0:
            return 0
        left = self.remaining.get(state.next_node, self.longest)
        return max(0, min(99, 100 * (self.longest - left) // self.longest))


def _edge(raw: dict[str, Any]) -> CompiledEdge:
    condition = raw.get("condition")
    return CompiledEdge(
        id=raw["id"],
        source=raw["source"],
        target=raw["target"],
        condition=Expression(condition, f"edges.{raw['id']}.condition") if condition else None,
        at=Expression(raw["at"], f"edges.{raw['id']}.at") if raw.get("at") else None,
        default=raw.get("default") is True,
        on_error=raw.get("on_error") is True,
        trigger=raw.get("trigger"),
        data=MappingProxyType(raw),
    )


def _retry(raw: Any) -> RetryPolicy | None:
    if not isinstance(raw, dict) or raw.get("max_attempts", 1) <= 1:
        return None
    return RetryPolicy(
        max_attempts=raw["max_attempts"],
        backoff_s=float(raw.get("backoff_s", 1.0)),
        max_backoff_s=float(raw.get("max_backoff_s", limits.MAX_BACKOFF_S)),
    )


def _node(raw: dict[str, Any], edges: list[CompiledEdge]) -> CompiledNode:
    node_type = registry.get(raw["type"])
    assert node_type is not None
    config = raw.get("config") or {}
    for container, key, field in list(expression_slots(config, node_type.expression_fields)):
        container[key] = Expression(container[key], field)
    normal = [edge for edge in edges if not edge.on_error]
    if node_type.transitions:
        routes: tuple[CompiledEdge, ...] = ()
        transitions = tuple(normal)
    else:
        routes = tuple(sorted(normal, key=lambda edge: edge.default))
        transitions = ()
    return CompiledNode(
        id=raw["id"],
        type=node_type.type,
        node_type=node_type,
        config=config,
        outgoing=tuple(edges),
        routes=routes,
        error_edge=next((edge for edge in edges if edge.on_error), None),
        transitions=transitions,
        retry=_retry(raw.get("retry")),
        terminal=node_type.terminal,
    )


def _remaining(start: str, successors: dict[str, list[str]]) -> dict[str, int]:
    """Longest path (in nodes) from each node to a dead end, ignoring edges that loop back."""
    depth: dict[str, int] = {}
    on_stack = {start}
    stack = [(start, iter(successors[start]))]
    while stack:
        node, pending = stack[-1]
        following = next((s for s in pending if s not in on_stack and s not in depth), None)
        if following is not None:
            on_stack.add(following)
            stack.append((following, iter(successors[following])))
            continue
        stack.pop()
        on_stack.discard(node)
        depth[node] = max((1 + depth[s] for s in successors[node] if s in depth), default=0)
    return depth


def compile_flow(
    document: dict[str, Any], *, flow_lookup: FlowLookup | None = None
) -> CompiledFlow:
    """Validate (raising FlowInvalid with every issue) and compile a flow document."""
    issues = validate(document, flow_lookup=flow_lookup)
    if issues:
        raise FlowInvalid(issues)
    document = copy.deepcopy(document)
    working = copy.deepcopy(document)
    edges = [_edge(raw) for raw in working["graph"]["edges"]]
    by_source: dict[str, list[CompiledEdge]] = {}
    for edge in edges:
        by_source.setdefault(edge.source, []).append(edge)
    nodes = {
        raw["id"]: _node(raw, by_source.get(raw["id"], [])) for raw in working["graph"]["nodes"]
    }
    start = next(node.id for node in nodes.values() if not node.node_type.has_input)
    successors = {node_id: [] for node_id in nodes}
    for edge in edges:
        if edge.target not in successors[edge.source]:
            successors[edge.source].append(edge.target)
    remaining = _remaining(start, successors)
    parameters = []
    for raw in working.get("parameters", []):
        parameter = dict(raw)
        if "default" in parameter:
            parameter["default"] = coerce(parameter["type"], parameter["default"])
        parameters.append(parameter)
    return CompiledFlow(
        key=document["key"],
        name=document["name"],
        kind=document["kind"],
        parameters=tuple(parameters),
        document=document,
        nodes=MappingProxyType(nodes),
        start=start,
        remaining=MappingProxyType(remaining),
        longest=remaining.get(start, 0),
    )
