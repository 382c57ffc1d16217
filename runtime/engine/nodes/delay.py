"""`delay`: waits a bounded number of seconds, counted against the run's deadline."""

from __future__ import annotations

from collections.abc import Iterable

from runtime.engine.compiler import CompiledNode
from runtime.engine.errors import Issue, NodeFailure
from runtime.engine.registry import BOTH, CheckInput, NodeType, register
from runtime.engine.scope import Outcome, Scope


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    seconds = float(node.config["seconds"])
    context = scope.context
    if seconds > context.max_delay_s:
        raise NodeFailure("limit", f"a delay of {seconds}s exceeds {context.max_delay_s}s")
    remaining = context.remaining_s()
    if remaining is not None and seconds >= remaining:
        raise NodeFailure("timeout", f"a delay of {seconds}s would pass the execution's deadline")
    context.sleep(seconds)
    return Outcome(input={"seconds": seconds})


def check(data: CheckInput) -> Iterable[Issue]:
    seconds = data.config.get("seconds")
    number = isinstance(seconds, int | float) and not isinstance(seconds, bool)
    if number and seconds > data.max_delay_s:
        yield Issue(
            f"a delay may be at most {data.max_delay_s:g} seconds",
            node=data.node_id,
            field="config.seconds",
        )


register(
    NodeType(
        type="delay",
        label="Delay",
        category="flow",
        icon="clock",
        description="Waits a number of seconds (bounded by a setting).",
        kinds=BOTH,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["seconds"],
            "properties": {"seconds": {"type": "number", "minimum": 0}},
        },
        run=run,
        check=check,
        wait_s=lambda node: float(node.config["seconds"]),
    )
)
