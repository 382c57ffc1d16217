"""Designer endpoints: node types, flows, drafts, validation, publishing, versions."""

from __future__ import annotations

from typing import Any

from django.db.models import Max
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404
from ninja import Body, Router, Status
from pydantic import ValidationError as PydanticValidationError

from designer import flows, versions
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


@router.post("/flows/import", response={201: dict})
def import_flow(request: HttpRequest, body: Body[dict[str, Any]]) -> Status:
    """Create a flow from an export file (or a bare flow document); it arrives as a draft."""
    document = versions.import_document(body)
    try:
        data = FlowIn.model_validate(document)
    except PydanticValidationError as exc:
        details = [
            {"field": ".".join(map(str, e["loc"])), "message": e["msg"]} for e in exc.errors()
        ]
        raise ApiError(400, "invalid_document", "the file is not a Sluice flow", details) from exc
    try:
        flow = flows.create_flow(data.dict(), request.auth)
    except flows.FlowExists as exc:
        raise ApiError(409, "flow_exists", f"a flow with key {data.key!r} exists") from exc
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


@router.get("/flows/{key}/diff")
def diff_versions(request: HttpRequest, key: str, base: str, to: str = "draft") -> dict:
    """Structural diff between two versions (`base`, `to`: a number or `draft`)."""
    flow = _flow(key)
    old, new = versions.document_at(flow, base), versions.document_at(flow, to)
    if old is None or new is None:
        raise ApiError(404, "version_not_found", f"no version {base if old is None else to!r}")
    return {"base": base, "to": to, **versions.diff_documents(old, new)}


@router.post("/flows/{key}/versions/{number}/restore")
def restore_version(request: HttpRequest, key: str, number: int) -> dict:
    """Put an old version back into the draft (a new revision; nothing is published)."""
    flow = versions.restore(_flow(key), number)
    if flow is None:
        raise ApiError(404, "version_not_found", f"flow {key!r} has no version {number}")
    return flows.flow_detail(flow)


@router.get("/flows/{key}/export")
def export_flow(request: HttpRequest, key: str) -> HttpResponse:
    flow = _flow(key)
    response = JsonResponse(versions.export_flow(flow), json_dumps_params={"indent": 2})
    response["Content-Disposition"] = f'attachment; filename="{flow.key}.sluice.json"'
    return response
