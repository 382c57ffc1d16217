"""`start`: the single entry point of a flow."""

from __future__ import annotations

from runtime.engine.compiler import CompiledNode
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import Outcome, Scope


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    return None


register(
    NodeType(
        type="start",
        label="Start",
        category="flow",
        icon="play",
        description="Where the execution begins; the flow's parameters are its variables.",
        kinds=BOTH,
        pure=True,
        config_schema={"type": "object", "additionalProperties": False, "properties": {}},
        run=run,
        has_input=False,
        unique=True,
        allows_error_edge=False,
    )
)
