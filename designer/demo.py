"""Demo flows and screens that the run command loads, so a fresh install has something to try."""

from __future__ import annotations

import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser, Group
from django.db import transaction

from designer import flows
from designer.demo_flows import LOAN_APPLICATION, LOAN_APPROVAL_SCREEN, LOAN_QUOTE, RISK_SCORE
from designer.models import Flow, Screen
from designer.screens import generate_fields

# In dependency order: a flow's `task` and `call` targets are published before it.
DEMO_FLOWS = [LOAN_QUOTE, RISK_SCORE, LOAN_APPLICATION]
DEMO_SCREENS = [LOAN_APPROVAL_SCREEN]
# The groups the demo process assigns its approval states to; the admin is in both.
DEMO_GROUPS = ("managers", "senior-managers")


def _ensure_screen(definition: dict[str, Any]) -> None:
    """A state's screen: its own fields (what the person fills in), no start buttons."""
    flow = Flow.objects.get(key=definition["flow"])
    Screen.objects.get_or_create(
        key=definition["key"],
        defaults={
            "title": definition["title"],
            "flow": flow,
            "fields": generate_fields(definition["parameters"]),
            "buttons": [],
        },
    )


def load_demo() -> list[str]:
    """Create and publish the demo flows that are missing, with their screens and groups;
    returns the keys created."""
    created = []
    for document in DEMO_FLOWS:
        if Flow.objects.filter(key=document["key"]).exists():
            continue
        with transaction.atomic():
            flow = flows.create_flow(dict(document), None)
            flows.publish(flow, "demo", None)
        created.append(document["key"])
    for definition in DEMO_SCREENS:
        _ensure_screen(definition)
    for name in DEMO_GROUPS:
        Group.objects.get_or_create(name=name)
    return created


def _join_demo_groups(user: AbstractBaseUser) -> None:
    user.groups.add(*(Group.objects.get_or_create(name=name)[0] for name in DEMO_GROUPS))


def ensure_admin(username: str = "admin", password: str | None = None) -> tuple[str, str | None]:
    """Create the admin login once (in the demo's approver groups); returns its password only
    when it was just created."""
    users = get_user_model().objects
    existing = users.filter(username=username).first()
    if existing is not None:
        _join_demo_groups(existing)
        return username, None
    password = password or secrets.token_urlsafe(9)
    _join_demo_groups(users.create_superuser(username=username, email="", password=password))
    return username, password
