"""Builders for flows and documents, so tests say what differs and nothing more."""

from __future__ import annotations

import copy
import itertools
from datetime import UTC, datetime, timedelta
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


def execution_fields(flow: Any, user: Any, **changes: Any) -> dict[str, Any]:
    """Every kind of column: JSON (dict, list, None), nullable and set datetimes, FKs."""
    version = flow.versions.get()
    now = datetime(2026, 11, 21, 9, 30, 15, 123456, tzinfo=UTC)
    return {
        "flow": flow,
        "flow_key": flow.key,
        "version": version,
        "version_number": version.number,
        "kind": flow.kind,
        "mode": "sync",
        "status": "completed",
        "progress": 100,
        "input": {"amount": 2.5, "tags": ["a", "é"], "nested": {"none": None}},
        "output": {"total": 7},
        "error": None,
        "business_key": None,
        "source": {"type": "api"},
        "waiting_for": [],
        "state": {"vars": {"x": 1}},
        "event_seq": 10,
        "created_by": user,
        "callback_url": "",
        "idempotency_key": "key-1",
        "request_hash": "ab" * 32,
        "started_at": now,
        "finished_at": now + timedelta(milliseconds=3),
        "lease_expires_at": None,
        "duration_ms": 3.0,
        **changes,
    }
