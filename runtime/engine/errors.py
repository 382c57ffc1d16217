"""Errors and issues the engine reports; plain data so adapters can turn them into JSON."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class Issue:
    """One problem found in a flow document or an input, located as precisely as we can."""

    message: str
    node: str | None = None
    edge: str | None = None
    field: str | None = None
    position: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "node": self.node,
            "edge": self.edge,
            "field": self.field,
            "message": self.message,
            "position": self.position,
        }


class FlowInvalid(Exception):
    """The document cannot be compiled; `issues` lists every problem at once."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(issue.message for issue in issues[:5]))
        self.issues = issues


class InputInvalid(Exception):
    """The input does not match the flow's parameters; `field` of each issue names the parameter."""

    def __init__(self, issues: list[Issue]) -> None:
        super().__init__("; ".join(f"{issue.field}: {issue.message}" for issue in issues[:5]))
        self.issues = issues


class ExpressionError(Exception):
    """A CEL expression was refused (compile error or sandbox limit), with its character offset."""

    def __init__(self, message: str, position: int | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.position = position


class NodeFailure(Exception):
    """A node could not do its job; the runner retries it, routes it to an error edge or fails."""

    def __init__(self, type: str, message: str, *, retryable: bool = False) -> None:
        super().__init__(message)
        self.type = type
        self.message = message
        self.retryable = retryable

    def as_error(self, node: str | None) -> dict[str, Any]:
        return {
            "node": node,
            "type": self.type,
            "message": self.message,
            "retryable": self.retryable,
        }
