"""Flow validation: every problem at once, each located on its node, edge and field.

First the document's structure (JSON Schema), then the semantics: node types, configs,
expressions, start/end, edges, reachability, and calls between flows. It must never raise on a
bad document — whatever it is given, it answers with issues.
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import Any

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError

from runtime.engine import limits, registry
from runtime.engine.errors import Issue
from runtime.engine.expressions import check_expression
from runtime.engine.fields import expression_slots
from runtime.engine.inputs import BadValue, coerce
from runtime.engine.schemas import TRIGGERS, document_schema

FlowLookup = Callable[[str], dict[str, Any] | None]
_MAX_MESSAGE = 300


@lru_cache(maxsize=1)
def _document_validator() -> Draft202012Validator:
    return Draft202012Validator(document_schema())


@lru_cache(maxsize=64)
def _config_validator(node_type: str) -> Draft202012Validator | None:
    found = registry.get(node_type)
    return None if found is None else Draft202012Validator(found.config_schema)


def _path(parts: Iterable[Any]) -> str:
    text = ""
    for part in parts:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def _message(error: ValidationError) -> str:
    if error.validator == "not" and isinstance(error.instance, str):
        return f"{error.instance!r} is a reserved name"
    if error.validator == "pattern" and isinstance(error.instance, str):
        return f"{error.instance[:80]!r} has the wrong form (expected {error.validator_value})"
    message = error.message
    return message if len(message) <= _MAX_MESSAGE else message[: _MAX_MESSAGE - 1] + "…"


def _schema_issues(
    validator: Draft202012Validator,
    instance: Any,
    prefix: str = "",
    node: str | None = None,
) -> list[Issue]:
    issues = []
    for error in sorted(validator.iter_errors(instance), key=lambda e: list(map(str, e.path))):
        field = _path(error.absolute_path)
        field = f"{prefix}.{field}" if prefix and field else (prefix or field or None)
        issues.append(Issue(_message(error), node=node, field=field))
    return issues


def _locate(document: dict[str, Any], issue: Issue) -> Issue:
    """Attach the node or edge id to a structural issue found under graph.nodes/edges."""
    field = issue.field or ""
    for collection, attribute in (("nodes", "node"), ("edges", "edge")):
        head = f"graph.{collection}["
        if not field.startswith(head) or "]" not in field:
            continue
        index_text, _, rest = field[len(head) :].partition("]")
        items = document["graph"][collection]
        if not index_text.isdigit() or int(index_text) >= len(items):
            continue
        item = items[int(index_text)]
        if isinstance(item, dict) and isinstance(item.get("id"), str):
            return Issue(issue.message, **{attribute: item["id"]}, field=rest.lstrip(".") or None)
    return issue


def _is_ok_shape(document: Any) -> bool:
    if not isinstance(document, dict):
        return False
    graph = document.get("graph")
    return (
        isinstance(graph, dict)
        and isinstance(graph.get("nodes"), list)
        and isinstance(graph.get("edges"), list)
    )


class _Checker:
    """One validation pass; collects issues instead of stopping at the first."""

    def __init__(
        self, document: dict[str, Any], flow_lookup: FlowLookup | None, max_delay_s: float
    ):
        self.document = document
        self.flow_lookup = flow_lookup
        self.max_delay_s = max_delay_s
        self.issues: list[Issue] = []
        kind, key = document.get("kind"), document.get("key")
        self.kind = kind if isinstance(kind, str) and kind in registry.KINDS else None
        self.key = key if isinstance(key, str) else None
        self.nodes: dict[str, dict[str, Any]] = {}
        self.types: dict[str, registry.NodeType] = {}
        self.edges: list[dict[str, Any]] = []
        self.outgoing: dict[str, list[dict[str, Any]]] = {}

    def run(self) -> list[Issue]:
        self._parameters()
        self._nodes()
        self._edges()
        self._start_and_end()
        self._calls()
        return self.issues

    def _add(self, message: str, **where: Any) -> None:
        self.issues.append(Issue(message, **where))

    def _parameters(self) -> None:
        parameters = self.document.get("parameters", [])
        if not isinstance(parameters, list):
            return
        seen: set[str] = set()
        for index, parameter in enumerate(parameters):
            if not isinstance(parameter, dict) or not isinstance(parameter.get("name"), str):
                continue
            name = parameter["name"]
            field = f"parameters[{index}]"
            if name in seen:
                self._add(f"parameter {name!r} is declared twice", field=f"{field}.name")
            seen.add(name)
            if "default" in parameter and isinstance(parameter.get("type"), str):
                try:
                    coerce(parameter["type"], parameter["default"])
                except BadValue as exc:
                    self._add(f"default of {name} {exc}", field=f"{field}.default")

    def _nodes(self) -> None:
        for node in self.document["graph"]["nodes"]:
            if not isinstance(node, dict) or not isinstance(node.get("id"), str) or not node["id"]:
                continue
            node_id = node["id"]
            if node_id in self.nodes:
                self._add(f"duplicate node id {node_id!r}", node=node_id, field="id")
                continue
            self.nodes[node_id] = node
            self.outgoing[node_id] = []
            node_type = registry.get(node.get("type"))
            if node_type is None:
                if isinstance(node.get("type"), str):
                    self._add(f"unknown node type {node['type']!r}", node=node_id, field="type")
                continue
            self.types[node_id] = node_type
            self._node(node_id, node, node_type)

    def _node(self, node_id: str, node: dict[str, Any], node_type: registry.NodeType) -> None:
        if self.kind is not None and self.kind not in node_type.kinds:
            only = " or ".join(sorted(node_type.kinds))
            self._add(
                f"{node_type.type} nodes belong in {only} flows, not in a {self.kind} flow",
                node=node_id,
                field="type",
            )
        config = node.get("config", {})
        if config is None:
            config = {}
        if not isinstance(config, dict):
            return
        validator = _config_validator(node_type.type)
        if validator is not None:
            self.issues.extend(_schema_issues(validator, config, "config", node_id))
        for container, key, field in expression_slots(config, node_type.expression_fields):
            source = container[key]
            if isinstance(source, str):
                self._expression(source, node=node_id, field=field)
        retry = node.get("retry")
        if isinstance(retry, dict):
            backoff, ceiling = retry.get("backoff_s"), retry.get("max_backoff_s")
            if (
                isinstance(backoff, int | float)
                and isinstance(ceiling, int | float)
                and ceiling < backoff
            ):
                self._add(
                    "max_backoff_s must not be below backoff_s",
                    node=node_id,
                    field="retry.max_backoff_s",
                )
        if node_type.check is not None:
            self.issues.extend(
                node_type.check(
                    registry.CheckInput(
                        node_id, config, self.key, self.flow_lookup, self.max_delay_s
                    )
                )
            )

    def _expression(self, source: str, **where: Any) -> None:
        problem = check_expression(source)
        if problem is not None:
            self._add(problem.message, position=problem.position, **where)

    def _edges(self) -> None:
        seen: set[str] = set()
        for edge in self.document["graph"]["edges"]:
            if not isinstance(edge, dict) or not isinstance(edge.get("id"), str) or not edge["id"]:
                continue
            edge_id = edge["id"]
            if edge_id in seen:
                self._add(f"duplicate edge id {edge_id!r}", edge=edge_id, field="id")
                continue
            seen.add(edge_id)
            if self._edge_ends(edge_id, edge):
                self.edges.append(edge)
                self.outgoing[edge["source"]].append(edge)
            self._edge_fields(edge_id, edge)
        for node_id, edges in self.outgoing.items():
            node_type = self.types.get(node_id)
            if node_type is not None:
                self._node_edges(node_id, node_type, edges)

    def _edge_ends(self, edge_id: str, edge: dict[str, Any]) -> bool:
        ok = True
        for end in ("source", "target"):
            value = edge.get(end)
            if isinstance(value, str) and value not in self.nodes:
                self._add(f"{end} {value!r} is not a node of this flow", edge=edge_id, field=end)
                ok = False
            elif not isinstance(value, str):
                ok = False
        target_type = self.types.get(edge.get("target")) if ok else None
        if target_type is not None and not target_type.has_input:
            self._add(f"no edge may enter a {target_type.type} node", edge=edge_id, field="target")
        return ok

    def _edge_fields(self, edge_id: str, edge: dict[str, Any]) -> None:
        for field in ("condition", "at"):
            source = edge.get(field)
            if isinstance(source, str):
                self._expression(source, edge=edge_id, field=field)
        if edge.get("default") is True and edge.get("on_error") is True:
            self._add("an edge cannot be both default and on_error", edge=edge_id, field="default")
        for flag in ("default", "on_error"):
            if edge.get(flag) is True and "condition" in edge:
                self._add(f"a {flag} edge cannot have a condition", edge=edge_id, field="condition")

    def _node_edges(
        self, node_id: str, node_type: registry.NodeType, edges: list[dict[str, Any]]
    ) -> None:
        if node_type.transitions:
            self._transitions(node_id, edges)
            return
        for edge in edges:
            if "trigger" in edge:
                self._add(
                    "only transitions out of a state carry a trigger",
                    edge=edge["id"],
                    field="trigger",
                )
        errors = [edge for edge in edges if edge.get("on_error") is True]
        normal = [edge for edge in edges if edge.get("on_error") is not True]
        defaults = [edge for edge in normal if edge.get("default") is True]
        if errors and (not node_type.allows_error_edge or node_type.terminal):
            self._add(
                f"a {node_type.type} node cannot have an error edge",
                edge=errors[0]["id"],
                field="on_error",
            )
        for extra in errors[1:]:
            self._add("a node may have only one error edge", edge=extra["id"], field="on_error")
        for extra in defaults[1:]:
            self._add("a node may have only one default edge", edge=extra["id"], field="default")
        if node_type.max_outputs is not None and len(normal) > node_type.max_outputs:
            for extra in normal[node_type.max_outputs :]:
                self._add(
                    f"a {node_type.type} node may have at most {node_type.max_outputs} "
                    "outgoing edges",
                    edge=extra["id"],
                    node=node_id,
                )
        if node_type.requires_default_edge and not defaults:
            self._add(
                f"a {node_type.type} needs a default edge (taken when no condition holds)",
                node=node_id,
            )
        self._unreachable_edges(node_type, normal)

    def _unreachable_edges(
        self, node_type: registry.NodeType, normal: list[dict[str, Any]]
    ) -> None:
        conditional = [edge for edge in normal if edge.get("default") is not True]
        for index, edge in enumerate(conditional):
            if "condition" in edge:
                continue
            if node_type.requires_default_edge:
                self._add(
                    f"every edge out of a {node_type.type} needs a condition or default: true",
                    edge=edge["id"],
                    field="condition",
                )
            elif index < len(conditional) - 1:
                self._add(
                    "this edge has no condition, so the edges after it are never taken",
                    edge=edge["id"],
                    field="condition",
                )

    def _transitions(self, node_id: str, edges: list[dict[str, Any]]) -> None:
        names: set[str] = set()
        for edge in edges:
            edge_id, trigger = edge["id"], edge.get("trigger")
            if trigger not in TRIGGERS:
                self._add(
                    "a transition out of a state needs a trigger: " + ", ".join(TRIGGERS),
                    edge=edge_id,
                    field="trigger",
                )
                continue
            if edge.get("on_error") is True:
                self._add("a state has no error edge", edge=edge_id, field="on_error")
            if trigger == "manual":
                name = edge.get("name")
                if not isinstance(name, str):
                    self._add("a manual transition needs a name", edge=edge_id, field="name")
                elif name in names:
                    self._add(f"transition name {name!r} is used twice", edge=edge_id, field="name")
                else:
                    names.add(name)
            elif trigger == "scheduled" and ("after_s" in edge) == ("at" in edge):
                self._add(
                    "a scheduled transition needs exactly one of after_s or at",
                    edge=edge_id,
                    field="after_s",
                )
            elif trigger == "event" and not isinstance(edge.get("event"), str):
                self._add("an event transition needs an event name", edge=edge_id, field="event")

    def _start_and_end(self) -> None:
        for node_type in registry.all_types():
            if not node_type.unique:
                continue
            found = [node_id for node_id, t in self.types.items() if t is node_type]
            if not found:
                self._add(f"the flow needs a {node_type.type} node")
            for extra in found[1:]:
                self._add(f"the flow may have only one {node_type.type} node", node=extra)
        starts = [node_id for node_id, t in self.types.items() if t.unique and not t.has_input]
        if not starts:
            return
        adjacency: dict[str, list[str]] = {node_id: [] for node_id in self.nodes}
        reverse: dict[str, list[str]] = {node_id: [] for node_id in self.nodes}
        for edge in self.edges:
            adjacency[edge["source"]].append(edge["target"])
            reverse[edge["target"]].append(edge["source"])
        reached = _closure(starts[:1], adjacency)
        terminals = [node_id for node_id, t in self.types.items() if t.terminal]
        if not terminals:
            self._add("the flow needs an end node")
        finishing = _closure(terminals, reverse)
        for node_id in self.nodes:
            if node_id not in reached:
                self._add("this node cannot be reached from the start", node=node_id)
            elif node_id not in finishing and terminals:
                self._add("no end can be reached from this node", node=node_id)

    def _calls(self) -> None:
        if self.flow_lookup is None or self.key is None:
            return
        lookup = _memo(self.flow_lookup)
        for node_id, node_type in self.types.items():
            if not node_type.calls_flow:
                continue
            config = self.nodes[node_id].get("config")
            target = config.get("flow") if isinstance(config, dict) else None
            if not isinstance(target, str):
                continue
            chain = _recursion(self.key, target, lookup)
            if chain is not None:
                self._add(
                    "calls recurse without bound: " + " → ".join(chain),
                    node=node_id,
                    field="config.flow",
                )


def _closure(roots: list[str], adjacency: dict[str, list[str]]) -> set[str]:
    seen = set(roots)
    queue = deque(roots)
    while queue:
        for following in adjacency[queue.popleft()]:
            if following not in seen:
                seen.add(following)
                queue.append(following)
    return seen


def _memo(lookup: FlowLookup) -> FlowLookup:
    cache: dict[str, dict[str, Any] | None] = {}

    def cached(key: str) -> dict[str, Any] | None:
        if key not in cache:
            try:
                found = lookup(key)
            except Exception:
                found = None
            cache[key] = found if isinstance(found, dict) else None
        return cache[key]

    return cached


def called_flows(document: dict[str, Any]) -> list[str]:
    """Keys of the flows a document's call-like nodes name."""
    graph = document.get("graph")
    nodes = graph.get("nodes") if isinstance(graph, dict) else None
    found = []
    for node in nodes if isinstance(nodes, list) else []:
        node_type = registry.get(node.get("type")) if isinstance(node, dict) else None
        config = node.get("config") if node_type is not None and node_type.calls_flow else None
        if isinstance(config, dict) and isinstance(config.get("flow"), str):
            found.append(config["flow"])
    return found


def _recursion(origin: str, target: str, lookup: FlowLookup) -> list[str] | None:
    """The call chain from `origin` through `target` that comes back to a flow on it, if any."""
    path = [origin]
    finished: set[str] = set()

    def visit(key: str) -> list[str] | None:
        if key in path:
            return [*path, key]
        if key in finished or len(path) > limits.MAX_CALL_DEPTH:
            return None
        document = lookup(key)
        path.append(key)
        for called in called_flows(document) if document is not None else []:
            chain = visit(called)
            if chain is not None:
                return chain
        path.pop()
        finished.add(key)
        return None

    return visit(target)


def validate(
    document: Any,
    *,
    flow_lookup: FlowLookup | None = None,
    max_delay_s: float = limits.MAX_DELAY_S,
) -> list[Issue]:
    """Every problem of a flow document; an empty list means it can be compiled."""
    try:
        issues = _schema_issues(_document_validator(), document)
        if not _is_ok_shape(document):
            return issues or [Issue("the document must be an object with graph.nodes and edges")]
        issues = [_locate(document, issue) for issue in issues]
        issues.extend(_Checker(document, flow_lookup, max_delay_s).run())
        return issues
    except RecursionError:
        return [Issue("the document is nested too deeply to check")]
    except Exception as exc:  # a checker bug must not turn a bad document into a server error
        return [Issue(f"the document could not be checked ({type(exc).__name__}: {exc})")]
