"""`decision`: branches on its edges' conditions; the runner's routing does the choosing."""

from __future__ import annotations

from runtime.engine.compiler import CompiledNode
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import Outcome, Scope


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    return None


register(
    NodeType(
        type="decision",
        label="Decision",
        category="flow",
        icon="split",
        description="Follows the first outgoing edge whose condition holds, else the default edge.",
        kinds=BOTH,
        pure=True,
        config_schema={"type": "object", "additionalProperties": False, "properties": {}},
        run=run,
        requires_default_edge=True,
        output_ports=(
            {
                "name": "branch",
                "kind": "normal",
                "max": None,
                "conditional": True,
                "requires": "condition",
            },
            {
                "name": "default",
                "kind": "default",
                "max": 1,
                "required": True,
                "edge": {"default": True},
            },
        ),
    )
)
