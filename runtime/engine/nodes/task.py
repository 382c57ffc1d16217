"""`task`: one activity of a process, carried out by a microflow (for now run like `call`)."""

from __future__ import annotations

from runtime.engine import calls
from runtime.engine.registry import PROCESS, NodeType, register

register(
    NodeType(
        type="task",
        label="Task",
        category="process",
        icon="check-square",
        description="Runs a microflow as one activity of the process.",
        kinds=PROCESS,
        config_schema=calls.CONFIG_SCHEMA,
        run=calls.run_child,
        expression_fields=calls.EXPRESSION_FIELDS,
        calls_flow=True,
        check=calls.check_target,
    )
)
