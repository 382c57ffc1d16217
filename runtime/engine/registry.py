"""The node registry: the single source of truth for node types.

Each node type lives in its own module under `nodes/` and registers itself; the validator,
compiler, runner and the designer's palette read only this registry, so adding a node type is
adding one module.
"""

from __future__ import annotations

import importlib
import pkgutil
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from runtime.engine.errors import Issue

if TYPE_CHECKING:
    from runtime.engine.compiler import CompiledNode
    from runtime.engine.scope import Outcome, Scope

KINDS = frozenset({"micro", "process"})
BOTH = KINDS
PROCESS = frozenset({"process"})

RunFunction = Callable[["CompiledNode", "Scope"], "Outcome | None"]


@dataclass(frozen=True, slots=True)
class CheckInput:
    """What a node type's extra semantic check may look at."""

    node_id: str
    config: dict[str, Any]
    document_key: str | None
    flow_lookup: Callable[[str], dict[str, Any] | None] | None
    max_delay_s: float


CheckFunction = Callable[[CheckInput], Iterable[Issue]]


@dataclass(frozen=True, slots=True)
class NodeType:
    """A node type: palette data, config schema, where its expressions are, and how it runs.

    `expression_fields` are config paths (`"assignments.*.expression"`, `"*"` matching any list
    index or map key) holding CEL, so validation and compilation find them generically.
    `pure` nodes finish in microseconds and touch nothing outside the execution's variables:
    the runtime may checkpoint their steps in batches, since redoing one changes nothing.
    """

    type: str
    label: str
    category: str
    icon: str
    description: str
    kinds: frozenset[str]
    config_schema: dict[str, Any]
    run: RunFunction
    expression_fields: tuple[str, ...] = ()
    requires_default_edge: bool = False
    terminal: bool = False
    has_input: bool = True
    max_outputs: int | None = None
    allows_error_edge: bool = True
    transitions: bool = False
    unique: bool = False
    calls_flow: bool = False
    check: CheckFunction | None = None
    wait_s: Callable[[CompiledNode], float] | None = None
    output_ports: tuple[dict[str, Any], ...] = field(default=())
    pure: bool = False

    def ports(self) -> dict[str, list[dict[str, Any]]]:
        """Connection rules for the editor: which edges may leave and enter this node."""
        inputs = [{"name": "in", "max": None}] if self.has_input else []
        if self.output_ports:
            outputs = [dict(port) for port in self.output_ports]
        elif self.max_outputs == 0:
            outputs = []
        else:
            outputs = [
                {"name": "next", "kind": "normal", "max": self.max_outputs, "conditional": True}
            ]
        if self.allows_error_edge and not self.terminal and not self.transitions:
            outputs.append({"name": "error", "kind": "error", "max": 1, "edge": {"on_error": True}})
        return {"inputs": inputs, "outputs": outputs}

    def describe(self) -> dict[str, Any]:
        return {
            "type": self.type,
            "label": self.label,
            "category": self.category,
            "icon": self.icon,
            "description": self.description,
            "kinds": sorted(self.kinds),
            "config_schema": self.config_schema,
            "expression_fields": list(self.expression_fields),
            "ports": self.ports(),
            "requires_default_edge": self.requires_default_edge,
            "allows_error_edge": self.allows_error_edge and not self.terminal,
            "transitions": self.transitions,
            "terminal": self.terminal,
            "unique": self.unique,
            "pure": self.pure,
        }


_TYPES: dict[str, NodeType] = {}


def register(node_type: NodeType) -> NodeType:
    """Add a node type (a later registration of the same name replaces the earlier one)."""
    _TYPES[node_type.type] = node_type
    return node_type


def get(name: Any) -> NodeType | None:
    if not isinstance(name, str):
        return None
    _load_builtin()
    return _TYPES.get(name)


def all_types() -> list[NodeType]:
    _load_builtin()
    return list(_TYPES.values())


def node_types() -> list[dict[str, Any]]:
    """The registry as the designer's API serves it."""
    return [node_type.describe() for node_type in all_types()]


_loaded = False
_load_lock = threading.RLock()


def _load_builtin() -> None:
    """Import every module of `runtime.engine.nodes` once; each registers its type. Threads
    wait for the first load to finish, so none sees a half-filled registry."""
    global _loaded
    if _loaded:
        return
    with _load_lock:
        if _loaded:
            return
        package = importlib.import_module("runtime.engine.nodes")
        for module in pkgutil.iter_modules(package.__path__):
            importlib.import_module(f"{package.__name__}.{module.name}")
        _loaded = True
