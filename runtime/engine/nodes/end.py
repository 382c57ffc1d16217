"""`end`: finishes the execution with an output built from expressions."""

from __future__ import annotations

from runtime.engine import schemas
from runtime.engine.compiler import CompiledNode
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import Outcome, Scope
from runtime.engine.values import check_size


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    expressions = node.config.get("output", {})
    output = {name: scope.evaluate(expression) for name, expression in expressions.items()}
    check_size("output", output)
    return Outcome(input=scope.reads(expressions.values()), output=output, finish=output)


register(
    NodeType(
        type="end",
        label="End",
        category="flow",
        icon="stop",
        description="Finishes the execution; its output is each name's expression.",
        kinds=BOTH,
        pure=True,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "properties": {"output": schemas.expression_map("output name → CEL expression")},
        },
        run=run,
        expression_fields=("output.*",),
        terminal=True,
        max_outputs=0,
        allows_error_edge=False,
    )
)
