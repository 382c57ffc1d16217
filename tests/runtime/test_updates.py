"""The compare-and-set UPDATE writes what the ORM would, and only from an expected status."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest

from runtime import updates
from runtime.models import Execution
from tests.factories import execution_fields

pytestmark = pytest.mark.django_db

DONE = {
    "status": "failed",
    "error": {"node": "n1", "message": "é"},
    "output": None,
    "finished_at": datetime(2026, 11, 21, 10, 0, 0, 250000, tzinfo=UTC),
    "waiting_for": [],
}


def test_it_writes_when_the_status_is_expected(published_flow: Any, user: Any) -> None:
    execution = Execution.objects.create(
        **execution_fields(published_flow(), user, status="running")
    )
    changed = updates.compare_and_set(
        Execution, execution.pk, DONE, guard="status", expected=("pending", "running")
    )
    assert changed == 1
    execution.refresh_from_db()
    assert {name: getattr(execution, name) for name in DONE} == DONE
    assert Execution.objects.filter(pk=execution.pk, output__isnull=True).exists()  # SQL NULL


def test_a_final_status_is_not_overwritten(published_flow: Any, user: Any) -> None:
    execution = Execution.objects.create(**execution_fields(published_flow(), user))
    changed = updates.compare_and_set(
        Execution, str(execution.pk), DONE, guard="status", expected=("running",)
    )
    assert changed == 0
    execution.refresh_from_db()
    assert execution.status == "completed" and execution.error is None
