"""The demo flow documents (plain data, importable without Django)."""

from typing import Any

LOAN_QUOTE: dict[str, Any] = {
    "key": "loan-quote",
    "name": "Loan quote",
    "kind": "micro",
    "description": "Quotes a loan with a 5% fee and approves it below 1,000.",
    "parameters": [
        {"name": "amount", "type": "number", "required": True},
        {"name": "customer", "type": "string", "required": False, "default": "guest"},
    ],
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 120}},
            {
                "id": "calc",
                "type": "assign",
                "position": {"x": 200, "y": 120},
                "config": {"assignments": [{"variable": "total", "expression": "amount * 1.05"}]},
            },
            {"id": "check", "type": "decision", "position": {"x": 420, "y": 120}},
            {
                "id": "ok",
                "type": "end",
                "position": {"x": 640, "y": 40},
                "config": {
                    "output": {"total": "total", "approved": "true", "customer": "customer"}
                },
            },
            {
                "id": "no",
                "type": "end",
                "position": {"x": 640, "y": 200},
                "config": {"output": {"total": "total", "approved": "false"}},
            },
        ],
        "edges": [
            {"id": "e1", "source": "start", "target": "calc"},
            {"id": "e2", "source": "calc", "target": "check"},
            {"id": "e3", "source": "check", "target": "ok", "condition": "total < 1000.0"},
            {"id": "e4", "source": "check", "target": "no", "default": True},
        ],
    },
}
