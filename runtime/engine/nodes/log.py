"""`log`: writes a message to the step's log (the audit shows it with the step)."""

from __future__ import annotations

import json

from runtime.engine import schemas
from runtime.engine.compiler import CompiledNode
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import LOG_LEVELS, Outcome, Scope


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    value = scope.evaluate(node.config["message"])
    message = value if isinstance(value, str) else json.dumps(value)
    scope.log(node.config.get("level", "info"), message)
    return None


register(
    NodeType(
        type="log",
        label="Log",
        category="diagnostics",
        icon="file-text",
        description="Writes a message to the step log.",
        kinds=BOTH,
        pure=True,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["message"],
            "properties": {
                "message": schemas.expression("CEL giving the message"),
                "level": {"enum": list(LOG_LEVELS), "default": "info"},
            },
        },
        run=run,
        expression_fields=("message",),
    )
)
