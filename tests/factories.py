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


def counting_loop(key: str, iterations: int) -> dict[str, Any]:
    """start → init → (inc → check)* → end, pure nodes only: 2 x iterations + 3 steps."""
    return {
        "key": key,
        "name": key.replace("-", " ").title(),
        "kind": "micro",
        "description": "",
        "parameters": [],
        "graph": {
            "nodes": [
                {"id": "start", "type": "start"},
                {
                    "id": "init",
                    "type": "assign",
                    "config": {"assignments": [{"variable": "i", "expression": "0"}]},
                },
                {
                    "id": "inc",
                    "type": "assign",
                    "config": {"assignments": [{"variable": "i", "expression": "i + 1"}]},
                },
                {"id": "check", "type": "decision"},
                {"id": "end", "type": "end", "config": {"output": {"i": "i"}}},
            ],
            "edges": [
                {"id": "e1", "source": "start", "target": "init"},
                {"id": "e2", "source": "init", "target": "inc"},
                {"id": "e3", "source": "inc", "target": "check"},
                {"id": "e4", "source": "check", "target": "end", "condition": f"i >= {iterations}"},
                {"id": "e5", "source": "check", "target": "inc", "default": True},
            ],
        },
    }
