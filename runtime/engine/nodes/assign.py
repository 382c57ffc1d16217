"""`assign`: sets variables in order; each assignment sees the ones before it."""

from __future__ import annotations

from typing import Any

from runtime.engine import schemas
from runtime.engine.compiler import CompiledNode
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import Outcome, Scope


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    assignments = node.config["assignments"]
    read = scope.reads(a["expression"] for a in assignments)
    assigned: dict[str, Any] = {}
    for assignment in assignments:
        name = assignment["variable"]
        value = scope.evaluate(assignment["expression"])
        scope.set(name, value)
        assigned[name] = value
    return Outcome(input=read, output=assigned)


register(
    NodeType(
        type="assign",
        label="Assign",
        category="data",
        icon="equals",
        description="Sets variables from CEL expressions, in order.",
        kinds=BOTH,
        pure=True,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["assignments"],
            "properties": {
                "assignments": {
                    "type": "array",
                    "minItems": 1,
                    "maxItems": 100,
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["variable", "expression"],
                        "properties": {
                            "variable": schemas.variable("the variable to set"),
                            "expression": schemas.expression("CEL giving the value"),
                        },
                    },
                }
            },
        },
        run=run,
        expression_fields=("assignments.*.expression",),
    )
)
