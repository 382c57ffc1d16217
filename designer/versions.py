"""Version history: structural diffs between documents, restoring, export and import."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from designer.models import Flow, FlowVersion

EXPORT_FORMAT = "sluice.flow/1"
_IGNORED_NODE_KEYS = frozenset({"position", "selected", "dragging", "width", "height"})


def _by_id(items: Any) -> dict[str, dict[str, Any]]:
    if not isinstance(items, list):
        return {}
    return {str(i["id"]): i for i in items if isinstance(i, dict) and "id" in i}


def _structural(node: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in node.items() if k not in _IGNORED_NODE_KEYS}


def _diff_items(old: Any, new: Any, strip: bool) -> dict[str, list[str]]:
    before, after = _by_id(old), _by_id(new)
    clean = _structural if strip else (lambda item: item)
    changed = [
        key for key in before.keys() & after.keys() if clean(before[key]) != clean(after[key])
    ]
    result = {
        "added": sorted(after.keys() - before.keys()),
        "removed": sorted(before.keys() - after.keys()),
        "changed": sorted(changed),
    }
    if strip:
        result["moved"] = sorted(
            key
            for key in before.keys() & after.keys()
            if key not in changed and before[key].get("position") != after[key].get("position")
        )
    return result


def diff_documents(old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """What changed from `old` to `new`: nodes and edges added, removed, changed (moves are
    listed apart: they change the drawing, not the behaviour), and the flow's own fields."""
    old_graph, new_graph = old.get("graph") or {}, new.get("graph") or {}
    fields = ["name", "kind", "description", "parameters", "timeout_s"]
    return {
        "nodes": _diff_items(old_graph.get("nodes"), new_graph.get("nodes"), strip=True),
        "edges": _diff_items(old_graph.get("edges"), new_graph.get("edges"), strip=False),
        "fields": [f for f in fields if old.get(f) != new.get(f)],
    }


def document_at(flow: Flow, ref: str) -> dict[str, Any] | None:
    """A version number, or `draft` for the editable draft."""
    if ref == "draft":
        return flow.document()
    if not ref.isdigit():
        return None
    version = FlowVersion.objects.filter(flow=flow, number=int(ref)).first()
    return version.document if version else None


def restore(flow: Flow, number: int) -> Flow | None:
    """Copy a published version into the draft as a new revision; the history stays."""
    version = FlowVersion.objects.filter(flow=flow, number=number).first()
    if version is None:
        return None
    document = version.document
    with transaction.atomic():
        Flow.objects.filter(pk=flow.pk).update(
            name=document["name"],
            description=document.get("description", ""),
            parameters=document.get("parameters", []),
            graph=document["graph"],
            timeout_s=document.get("timeout_s"),
            revision=F("revision") + 1,
            updated_at=timezone.now(),
        )
    flow.refresh_from_db()
    return flow


def export_flow(flow: Flow) -> dict[str, Any]:
    """One JSON file with the draft and every published version."""
    versions = FlowVersion.objects.filter(flow=flow).order_by("number")
    return {
        "format": EXPORT_FORMAT,
        "flow": flow.document(),
        "versions": [
            {
                "version": v.number,
                "note": v.note,
                "published_at": v.published_at.isoformat(),
                "document": v.document,
            }
            for v in versions
        ],
    }


def import_document(data: dict[str, Any]) -> dict[str, Any]:
    """The flow document inside an export file, or the file itself when it is a bare document."""
    if isinstance(data, dict) and data.get("format") == EXPORT_FORMAT:
        return dict(data.get("flow") or {})
    return dict(data) if isinstance(data, dict) else {}
