"""What a node sees while it runs: variables, the run context, the step's log, and its outcome."""

from __future__ import annotations

import time
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from runtime.engine import limits
from runtime.engine.errors import NodeFailure
from runtime.engine.values import check_size, measure

if TYPE_CHECKING:
    from runtime.engine.compiler import CompiledEdge
    from runtime.engine.context import RunContext
    from runtime.engine.expressions import Expression

LOG_LEVELS = ("debug", "info", "warning", "error")


@dataclass(slots=True)
class Outcome:
    """What a node did: step data, and whether it finished, waits or picked its edge itself."""

    output: dict[str, Any] | None = None
    input: dict[str, Any] | None = None
    finish: dict[str, Any] | None = None
    wait: list[dict[str, Any]] | None = None
    edge: CompiledEdge | None = None


class Scope:
    """One run's variables plus the current step's attempt and log.

    Sizes of variables are cached so the sandbox can check every write and estimate every
    evaluation without walking the values again.
    """

    __slots__ = ("_sizes", "_total", "attempt", "context", "execution", "logs", "variables")

    def __init__(self, variables: dict[str, Any], context: RunContext) -> None:
        self.variables = variables
        self.context = context
        self.execution = context.execution
        self._sizes: dict[str, tuple[int, int]] = {}
        self._total = 0
        for name, value in variables.items():
            items, chars, _ = measure(value)
            self._sizes[name] = (items, chars)
            self._total += items + chars
        self.attempt = 1
        self.logs: list[dict[str, Any]] = []

    def size_of(self, name: str) -> tuple[int, int] | None:
        if name == "execution":
            return (3, 100)
        return self._sizes.get(name)

    def reads(self, expressions: Iterable[Expression]) -> dict[str, Any]:
        """The variables these expressions read, as they are now: a step's input. Values are
        shared, not copied: the adapter serialises the step before the next one runs."""
        variables = self.variables
        return {
            name: variables[name]
            for expression in expressions
            for name in expression.names
            if name in variables
        }

    def evaluate(self, expression: Expression) -> Any:
        return expression.evaluate(self.variables, self.execution, self.size_of)

    def set(self, name: str, value: Any) -> None:
        """Store a variable, enforcing the per-value and total size caps."""
        kind = type(value)
        if kind is int or kind is bool or kind is float or value is None:
            size = (1, 0)
        else:
            size = check_size(name, value)
        old = self._sizes.get(name, (0, 0))
        total = self._total + size[0] + size[1] - old[0] - old[1]
        if total > limits.MAX_VARIABLES_SIZE:
            raise NodeFailure(
                "limit",
                f"{name}: all variables together would hold {total:,} elements and characters; "
                f"the limit is {limits.MAX_VARIABLES_SIZE:,}",
            )
        self._total = total
        self._sizes[name] = size
        self.variables[name] = value

    def log(self, level: str, message: str) -> None:
        self.logs.append({"level": level, "message": message, "ts": time.time()})
