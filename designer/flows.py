"""Flow services: saving drafts with optimistic concurrency, validating and publishing."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import F, Max
from django.utils import timezone

from designer.models import Flow, FlowVersion
from designer.screens import generate_screen
from runtime import engine


class StaleRevision(Exception):
    def __init__(self, current: int) -> None:
        super().__init__(f"the draft is at revision {current}")
        self.current = current


class FlowExists(Exception):
    pass


class PublishInvalid(Exception):
    def __init__(self, issues: list[engine.Issue]) -> None:
        super().__init__("the flow has problems")
        self.issues = issues


def published_document(key: str) -> dict[str, Any] | None:
    """The latest published document of a flow, for validating `call` and `task` targets."""
    version = FlowVersion.objects.filter(flow__key=key).only("document").first()
    return version.document if version else None


def flow_summary(flow: Flow) -> dict[str, Any]:
    return {
        "key": flow.key,
        "name": flow.name,
        "kind": flow.kind,
        "description": flow.description,
        "revision": flow.revision,
        "updated_at": flow.updated_at.isoformat(),
        "latest_version": getattr(flow, "latest_version", None),
        "has_unpublished_changes": flow.has_unpublished_changes,
    }


def flow_detail(flow: Flow) -> dict[str, Any]:
    latest = flow.versions.aggregate(n=Max("number"))["n"]
    flow.latest_version = latest
    return {
        **flow_summary(flow),
        "parameters": flow.parameters,
        "graph": flow.graph,
        "timeout_s": flow.timeout_s,
    }


def create_flow(data: dict[str, Any], user: AbstractBaseUser | None) -> Flow:
    try:
        with transaction.atomic():
            return Flow.objects.create(**data, created_by=user)
    except IntegrityError as exc:
        raise FlowExists(data["key"]) from exc


def save_draft(key: str, revision: int, data: dict[str, Any]) -> Flow:
    """Compare-and-set on the revision: a stale save changes nothing and says so."""
    updated = Flow.objects.filter(key=key, revision=revision).update(
        **data, revision=F("revision") + 1, updated_at=timezone.now()
    )
    flow = Flow.objects.get(key=key)
    if not updated:
        raise StaleRevision(flow.revision)
    return flow


MAX_TIMEOUT_S = 90 * 24 * 3600


def validate_document(document: dict[str, Any]) -> list[engine.Issue]:
    """The engine's checks plus the flow-level settings the adapter reads (`timeout_s`)."""
    issues = engine.validate(
        document, flow_lookup=published_document, max_delay_s=settings.SLUICE_MAX_DELAY_S
    )
    timeout_s = document.get("timeout_s") if isinstance(document, dict) else None
    if timeout_s is not None and (
        isinstance(timeout_s, bool)
        or not isinstance(timeout_s, int | float)
        or not 0 < timeout_s <= MAX_TIMEOUT_S
    ):
        issues.append(
            engine.Issue(
                f"timeout_s must be a number of seconds in (0, {MAX_TIMEOUT_S}]", field="timeout_s"
            )
        )
    return issues


def publish(flow: Flow, note: str, user: AbstractBaseUser | None) -> FlowVersion:
    """Freeze the draft as the next version, if it is valid; first publish makes a screen."""
    document = flow.document()
    issues = validate_document(document)
    if issues:
        raise PublishInvalid(issues)
    with transaction.atomic():
        locked = Flow.objects.select_for_update().get(pk=flow.pk)
        number = (locked.versions.aggregate(n=Max("number"))["n"] or 0) + 1
        version = FlowVersion.objects.create(
            flow=locked, number=number, document=document, note=note, published_by=user
        )
        Flow.objects.filter(pk=flow.pk).update(published_revision=locked.revision)
        if not locked.screens.exists():
            generate_screen(locked)
    return version


def version_summary(version: FlowVersion) -> dict[str, Any]:
    return {
        "version": version.number,
        "note": version.note,
        "published_by": version.published_by.get_username() if version.published_by else None,
        "published_at": version.published_at.isoformat(),
    }
