"""Demo flows and screens that the run command loads, so a fresh install has something to try."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from designer import flows
from designer.models import Flow

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

DEMO_FLOWS = [LOAN_QUOTE]


def load_demo() -> list[str]:
    """Create and publish the demo flows that are missing; returns the keys created."""
    created = []
    for document in DEMO_FLOWS:
        if Flow.objects.filter(key=document["key"]).exists():
            continue
        with transaction.atomic():
            flow = flows.create_flow(dict(document), None)
            flows.publish(flow, "demo", None)
        created.append(document["key"])
    return created


def ensure_admin(username: str = "admin", password: str | None = None) -> tuple[str, str | None]:
    """Create the admin login once; returns its password only when it was just created."""
    users = get_user_model().objects
    if users.filter(username=username).exists():
        return username, None
    password = password or secrets.token_urlsafe(9)
    users.create_superuser(username=username, email="", password=password)
    return username, password
