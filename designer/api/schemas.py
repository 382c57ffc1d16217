"""Request bodies of the designer API (responses are plain dicts shaped after SPEC §5)."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Schema
from pydantic import BaseModel


class Graph(BaseModel):
    """A plain model: ninja's Schema would read attributes off any object, even a string."""

    nodes: list[dict[str, Any]] = Field(default_factory=list)
    edges: list[dict[str, Any]] = Field(default_factory=list)


class FlowIn(Schema):
    key: str = Field(pattern=r"^[a-z0-9][a-z0-9_-]{0,63}$")
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["micro", "process"] = "micro"
    description: str = ""
    parameters: list[dict[str, Any]] = Field(default_factory=list)
    graph: Graph = Field(default_factory=Graph)
    timeout_s: float | None = Field(default=None, gt=0)


class FlowSave(Schema):
    revision: int
    name: str = Field(min_length=1, max_length=200)
    kind: Literal["micro", "process"] = "micro"
    description: str = ""
    parameters: list[dict[str, Any]] = Field(default_factory=list)
    graph: Graph = Field(default_factory=Graph)
    timeout_s: float | None = Field(default=None, gt=0)


class ValidateIn(Schema):
    document: dict[str, Any] | None = None


class PublishIn(Schema):
    note: str = Field(default="", max_length=500)


class ExpressionIn(Schema):
    expression: str
