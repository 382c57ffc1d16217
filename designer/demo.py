"""Demo flows and screens that the run command loads, so a fresh install has something to try."""

from __future__ import annotations

import secrets

from django.contrib.auth import get_user_model
from django.db import transaction

from designer import flows
from designer.demo_flows import LOAN_QUOTE
from designer.models import Flow

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
