"""Choosing the edge out of a node: first condition that holds, else the default."""

from __future__ import annotations

from runtime.engine.compiler import CompiledEdge, CompiledNode
from runtime.engine.errors import NodeFailure
from runtime.engine.expressions import Expression
from runtime.engine.scope import Scope


def holds(condition: Expression, scope: Scope) -> bool:
    """Evaluate a condition that must give a boolean."""
    value = scope.evaluate(condition)
    if value is True or value is False:
        return value
    raise NodeFailure(
        "expression",
        f"{condition.field}: a condition must give true or false, not {type(value).__name__}",
    )


def route(node: CompiledNode, scope: Scope) -> CompiledEdge:
    """The first normal edge whose condition holds (no condition holds), else the default."""
    for edge in node.routes:
        condition = edge.condition
        if condition is None:
            return edge
        value = scope.evaluate(condition)
        if value is True:
            return edge
        if value is not False:
            holds(condition, scope)
    raise NodeFailure("route", f"no outgoing edge of {node.id!r} applies and it has no default")
