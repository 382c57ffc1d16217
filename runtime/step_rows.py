"""A step as a plain row until it is written: building a `Step` model instance per node cost
~10 µs, a tenth of a 10-node sync run. `inserts.insert(Step, rows)` writes these.

A run of pure nodes that ends where it started (a sync call, or an async job within its first
batch) keeps its steps in the execution row's `journal`, written with the final status in
the one statement that stores the run (see `runtime.journal`). Readers take both
(`steps_of`).
"""

from __future__ import annotations

import dataclasses
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from runtime import engine
from runtime.models import Execution, Step


@dataclass(slots=True)
class StepRow:
    """The columns of `runtime.models.Step` (without its id), by attribute name."""

    execution_id: uuid.UUID
    seq: int
    execution_attempt: int
    node_id: str
    node_type: str
    attempt: int
    status: str
    input: dict[str, Any] | None
    output: dict[str, Any] | None
    error: dict[str, Any] | None
    logs: list[dict[str, Any]]
    edge_id: str
    started_at: datetime
    duration_ms: float | None


def step_row(execution_id: uuid.UUID, execution_attempt: int, event: engine.StepEvent) -> StepRow:
    return StepRow(
        execution_id=execution_id,
        seq=event.seq,
        execution_attempt=execution_attempt,
        node_id=event.node_id,
        node_type=event.node_type,
        attempt=event.attempt,
        status=event.status,
        input=event.input,
        output=event.output,
        error=event.error,
        logs=event.logs,
        edge_id=event.edge_id or "",
        started_at=datetime.fromtimestamp(event.started_at, tz=UTC),
        duration_ms=event.duration_ms,
    )


_ENTRY_FIELDS = tuple(f.name for f in dataclasses.fields(StepRow) if f.name != "execution_id")


def journal_entries(rows: list[StepRow]) -> list[dict[str, Any]]:
    """Steps as they are kept in the execution row's `journal`: a StepRow's fields, without
    the execution, with the start time as ISO text."""
    entries = []
    for row in rows:
        entry = {name: getattr(row, name) for name in _ENTRY_FIELDS}
        entry["started_at"] = row.started_at.isoformat()
        entries.append(entry)
    return entries


def from_journal(execution_id: uuid.UUID, entries: list[dict[str, Any]]) -> list[StepRow]:
    return [
        StepRow(
            execution_id=execution_id,
            **{**entry, "started_at": datetime.fromisoformat(entry["started_at"])},
        )
        for entry in entries
    ]


def steps_of(execution: Execution) -> list[Step | StepRow]:
    """Every step of the execution in order: the filed Step rows and the journal not yet
    filed (a filing moves both in one transaction, so a loaded row never counts one twice)."""
    steps: list[Step | StepRow] = list(execution.steps.order_by("seq"))
    if execution.journal:
        steps += from_journal(execution.pk, execution.journal)
        steps.sort(key=lambda step: step.seq)
    return steps
