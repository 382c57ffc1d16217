"""What `call` and `task` share: running another microflow with evaluated input."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from runtime.engine import schemas
from runtime.engine.compiler import CompiledNode
from runtime.engine.errors import Issue, NodeFailure
from runtime.engine.registry import CheckInput
from runtime.engine.scope import Outcome, Scope
from runtime.engine.values import check_size

CONFIG_SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "required": ["flow"],
    "properties": {
        "flow": schemas.flow_key("key of the microflow to run"),
        "input": schemas.expression_map("parameter name → CEL expression"),
        "result_variable": schemas.variable("variable receiving the child's output"),
    },
}
EXPRESSION_FIELDS = ("input.*",)


def run_child(node: CompiledNode, scope: Scope) -> Outcome:
    """Evaluate the input, run the child through the adapter, store its output."""
    config = node.config
    inputs = config.get("input", {})
    data = {name: scope.evaluate(expression) for name, expression in inputs.items()}
    check_size("input", data)
    runner = scope.context.run_child
    if runner is None:
        raise NodeFailure("call", "this run cannot start child executions")
    output = runner(config["flow"], data)
    if not isinstance(output, dict):
        raise NodeFailure("call", f"{config['flow']} returned no output object")
    if "result_variable" in config:
        scope.set(config["result_variable"], output)
    return Outcome(input={"flow": config["flow"], "input": data}, output=output)


def _parameters(document: dict[str, Any]) -> list[dict[str, Any]]:
    parameters = document.get("parameters")
    if not isinstance(parameters, list):
        return []
    return [p for p in parameters if isinstance(p, dict) and isinstance(p.get("name"), str)]


def check_target(data: CheckInput) -> Iterator[Issue]:
    """The target exists, is a microflow, and accepts the given input names."""
    target = data.config.get("flow")
    if data.flow_lookup is None or not isinstance(target, str):
        return
    try:
        document = data.flow_lookup(target)
    except Exception:
        document = None
    if not isinstance(document, dict):
        yield Issue(f"no published flow {target!r}", node=data.node_id, field="config.flow")
        return
    if document.get("kind") != "micro":
        yield Issue(f"{target!r} is not a microflow", node=data.node_id, field="config.flow")
    parameters = _parameters(document)
    given = data.config.get("input")
    given = given if isinstance(given, dict) else {}
    names = {p["name"] for p in parameters}
    for name in given:
        if name not in names:
            yield Issue(
                f"{target!r} has no parameter {name!r}",
                node=data.node_id,
                field=f"config.input.{name}",
            )
    for parameter in parameters:
        needed = parameter.get("required") is True and "default" not in parameter
        if needed and parameter["name"] not in given:
            yield Issue(
                f"{target!r} requires {parameter['name']!r}",
                node=data.node_id,
                field="config.input",
            )
