"""`fail`: ends the execution as failed with the given message."""

from __future__ import annotations

import json

from runtime.engine import schemas
from runtime.engine.compiler import CompiledNode
from runtime.engine.errors import NodeFailure
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import Outcome, Scope


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    value = scope.evaluate(node.config["message"])
    message = value if isinstance(value, str) else json.dumps(value)
    raise NodeFailure("fail", message, retryable=node.config.get("retryable", False))


register(
    NodeType(
        type="fail",
        label="Fail",
        category="flow",
        icon="x-octagon",
        description="Ends the execution as failed with a message (retryable tells callers whether "
        "retrying the execution may help).",
        kinds=BOTH,
        pure=True,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["message"],
            "properties": {
                "message": schemas.expression("CEL giving the error message"),
                "retryable": {"type": "boolean", "default": False},
            },
        },
        run=run,
        expression_fields=("message",),
        terminal=True,
        max_outputs=0,
        allows_error_edge=False,
    )
)
