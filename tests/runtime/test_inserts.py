"""The plain INSERTs of the hot path store exactly what the ORM would have stored."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from runtime import inserts
from runtime.models import Execution, Step
from runtime.step_rows import StepRow
from tests.factories import execution_fields

pytestmark = pytest.mark.django_db


def stored(execution_id: uuid.UUID) -> dict[str, Any]:
    row = Execution.objects.filter(pk=execution_id).values().get()
    return {k: v for k, v in row.items() if k not in {"id", "created_at", "idempotency_key"}}


def test_an_execution_reads_back_as_the_orm_would_have_written_it(
    published_flow: Any, user: Any
) -> None:
    flow = published_flow()
    by_orm = Execution.objects.create(**execution_fields(flow, user))
    fast = Execution(**execution_fields(flow, user, idempotency_key="key-2"))
    inserts.insert(Execution, [fast])
    assert stored(fast.pk) == stored(by_orm.pk)
    again = Execution.objects.get(pk=fast.pk)
    assert again.created_at is not None and again.created_at == fast.created_at
    assert again.output == {"total": 7} and again.error is None  # SQL NULL, not JSON null
    assert Execution.objects.filter(pk=fast.pk, error__isnull=True).exists()
    assert not fast._state.adding


def test_step_rows_read_back_as_bulk_created_steps(published_flow: Any, user: Any) -> None:
    flow = published_flow()
    execution = Execution.objects.create(**execution_fields(flow, user))
    other = Execution.objects.create(**execution_fields(flow, user, idempotency_key="key-2"))
    started = datetime(2026, 11, 21, 9, 30, 15, 500000, tzinfo=UTC)

    def row(execution_id: uuid.UUID, seq: int) -> StepRow:
        return StepRow(
            execution_id=execution_id,
            seq=seq,
            execution_attempt=1,
            node_id=f"n{seq}",
            node_type="assign",
            attempt=1,
            status="completed",
            input=None if seq == 1 else {"x": seq},
            output={"y": [seq]},
            error=None,
            logs=[{"level": "info", "message": "ok"}],
            edge_id="e1",
            started_at=started,
            duration_ms=0.5,
        )

    inserts.insert(Step, [row(execution.pk, 1), row(execution.pk, 2)])
    Step.objects.bulk_create(
        [Step(**dataclasses.asdict(row(other.pk, 1))), Step(**dataclasses.asdict(row(other.pk, 2)))]
    )

    def steps(execution_id: uuid.UUID) -> list[dict[str, Any]]:
        return [
            {k: v for k, v in s.items() if k not in {"id", "execution_id"}}
            for s in Step.objects.filter(execution_id=execution_id).order_by("seq").values()
        ]

    assert steps(execution.pk) == steps(other.pk)
    assert steps(execution.pk)[0]["input"] is None


def test_step_rows_have_the_step_models_columns() -> None:
    columns = {f.attname for f in Step._meta.concrete_fields if not f.primary_key}
    assert {f.name for f in dataclasses.fields(StepRow)} == columns


def test_a_duplicate_is_djangos_integrity_error(published_flow: Any, user: Any) -> None:
    flow = published_flow()
    first = Execution(**execution_fields(flow, user))
    inserts.insert(Execution, [first])
    duplicate = Execution(**execution_fields(flow, user))  # same user, flow and key
    with pytest.raises(IntegrityError), transaction.atomic():
        inserts.insert(Execution, [duplicate])
    assert not Execution.objects.filter(pk=duplicate.pk).exists()
