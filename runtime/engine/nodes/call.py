"""`call`: runs another microflow inline as a child execution."""

from __future__ import annotations

from runtime.engine import calls
from runtime.engine.registry import BOTH, NodeType, register

register(
    NodeType(
        type="call",
        label="Call microflow",
        category="integration",
        icon="corner-down-right",
        description="Runs another microflow as a child execution and stores its output.",
        kinds=BOTH,
        config_schema=calls.CONFIG_SCHEMA,
        run=calls.run_child,
        expression_fields=calls.EXPRESSION_FIELDS,
        calls_flow=True,
        check=calls.check_target,
    )
)
