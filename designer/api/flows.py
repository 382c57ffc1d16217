"""Designer endpoints: node types, flows, drafts, validation, publishing, versions."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Router, Status

from designer import flows
from designer.api.errors import ApiError
from designer.api.schemas import ExpressionIn, FlowIn, FlowSave, PublishIn, ValidateIn
from designer.models import Flow, FlowVersion
from runtime import engine

router = Router(tags=["designer"])


def _flow(key: str) -> Flow:
    return get_object_or_404(Flow, key=key)


@router.get("/node-types")
def node_types(request: HttpRequest) -> dict[str, Any]:
    """The node registry: what the palette, the property forms and the validator all read."""
    return {"node_types": engine.node_types(), "edge_schema": engine.edge_schema()}


@router.post("/expressions/check")
def check_expression(request: HttpRequest, body: ExpressionIn) -> dict[str, Any]:
    issue = engine.check_expression(body.expression)
    if issue is None:
        return {"valid": True, "error": None}
    return {"valid": False, "error": {"message": issue.message, "position": issue.position}}


@router.get("/flows")
def list_flows(request: HttpRequest, kind: str | None = None, q: str | None = None) -> dict:
    query = Flow.objects.annotate(latest_version=Max("versions__number"))
    if kind:
        query = query.filter(kind=kind)
    if q:
        query = query.filter(name__icontains=q) | query.filter(key__icontains=q)
    items = [flows.flow_summary(f) for f in query]
    return {"items": items, "count": len(items)}


@router.post("/flows", response={201: dict})
def create_flow(request: HttpRequest, body: FlowIn) -> Status:
    try:
        flow = flows.create_flow(body.dict(), request.auth)
    except flows.FlowExists as exc:
        raise ApiError(409, "flow_exists", f"a flow with key {body.key!r} exists") from exc
    return Status(201, flows.flow_detail(flow))


@router.get("/flows/{key}")
def get_flow(request: HttpRequest, key: str) -> dict:
    return flows.flow_detail(_flow(key))


@router.put("/flows/{key}")
def save_flow(request: HttpRequest, key: str, body: FlowSave) -> dict:
    _flow(key)
    data = body.dict()
    revision = data.pop("revision")
    try:
        flow = flows.save_draft(key, revision, data)
    except flows.StaleRevision as exc:
        raise ApiError(
            409,
            "stale_revision",
            f"the draft was saved elsewhere (now at revision {exc.current}); reload or keep a copy",
            {"current_revision": exc.current},
        ) from exc
    return flows.flow_detail(flow)


@router.delete("/flows/{key}", response={204: None})
def delete_flow(request: HttpRequest, key: str) -> HttpResponse:
    _flow(key).delete()
    return HttpResponse(status=204)


@router.post("/flows/{key}/validate")
def validate_flow(request: HttpRequest, key: str, body: ValidateIn | None = None) -> dict:
    flow = _flow(key)
    document = body.document if body and body.document else flow.document()
    issues = flows.validate_document(document)
    return {"valid": not issues, "errors": [i.as_dict() for i in issues]}


@router.post("/flows/{key}/publish", response={201: dict})
def publish_flow(request: HttpRequest, key: str, body: PublishIn | None = None) -> Status:
    flow = _flow(key)
    try:
        version = flows.publish(flow, body.note if body else "", request.auth)
    except flows.PublishInvalid as exc:
        raise ApiError(
            400,
            "invalid_flow",
            f"the flow has {len(exc.issues)} problem(s); fix them before publishing",
            {"errors": [i.as_dict() for i in exc.issues]},
        ) from exc
    return Status(201, flows.version_summary(version))


@router.get("/flows/{key}/versions")
def list_versions(request: HttpRequest, key: str) -> dict:
    versions = FlowVersion.objects.filter(flow=_flow(key)).select_related("published_by")
    return {"items": [flows.version_summary(v) for v in versions]}


@router.get("/flows/{key}/versions/{number}")
def get_version(request: HttpRequest, key: str, number: int) -> dict:
    version = get_object_or_404(
        FlowVersion.objects.select_related("published_by"), flow__key=key, number=number
    )
    return {**flows.version_summary(version), "document": version.document}
