"""Builders for flows and documents, so tests say what differs and nothing more."""

from __future__ import annotations

import copy
import itertools
from typing import Any

from designer.demo_flows import LOAN_QUOTE as _LOAN_QUOTE

LOAN_QUOTE: dict[str, Any] = copy.deepcopy(_LOAN_QUOTE)


def make_flow(document: dict[str, Any], user: Any = None) -> Any:
    from designer import flows

    return flows.create_flow(copy.deepcopy(document), user)


def linear_flow(
    key: str,
    nodes: list[dict[str, Any]],
    kind: str = "micro",
    parameters: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """start → nodes… → end (with the last node's output if it is an end), chained in order."""
    chain = [{"id": "start", "type": "start"}, *nodes]
    if chain[-1]["type"] != "end":
        chain.append({"id": "end", "type": "end", "config": {"output": {}}})
    edges = [
        {"id": f"e{i}", "source": a["id"], "target": b["id"]}
        for i, (a, b) in enumerate(itertools.pairwise(chain))
    ]
    return {
        "key": key,
        "name": key.replace("-", " ").title(),
        "kind": kind,
        "description": "",
        "parameters": parameters or [],
        "graph": {"nodes": chain, "edges": edges},
    }
