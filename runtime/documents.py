"""The JSON shapes of SPEC §5 for executions and steps, shared by the API and the websocket."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from runtime.models import Execution, Step
from runtime.step_rows import StepRow


def _iso(value: datetime | None) -> str | None:
    return value.isoformat().replace("+00:00", "Z") if value else None


def execution_document(execution: Execution) -> dict[str, Any]:
    return {
        "id": str(execution.id),
        "flow": execution.flow_key,
        "version": execution.version_number,
        "kind": execution.kind,
        "mode": execution.mode,
        "status": execution.status,
        "progress": execution.progress,
        "current_node": execution.current_node or None,
        "input": execution.input,
        "output": execution.output,
        "error": execution.error,
        "business_key": execution.business_key,
        "source": execution.source,
        "attempt": execution.attempt,
        "waiting_for": execution.waiting_for,
        "parent": str(execution.parent_id) if execution.parent_id else None,
        "seq": execution.event_seq,
        "created_at": _iso(execution.created_at),
        "started_at": _iso(execution.started_at),
        "finished_at": _iso(execution.finished_at),
        "duration_ms": execution.duration_ms,
    }


def step_document(step: Step | StepRow) -> dict[str, Any]:
    return {
        "seq": step.seq,
        "execution_attempt": step.execution_attempt,
        "node_id": step.node_id,
        "node_type": step.node_type,
        "attempt": step.attempt,
        "status": step.status,
        "input": step.input,
        "output": step.output,
        "error": step.error,
        "logs": step.logs,
        "edge_id": step.edge_id or None,
        "started_at": _iso(step.started_at),
        "duration_ms": step.duration_ms,
    }
