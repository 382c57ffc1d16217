"""A worker's lease stays fresh while it holds an execution, and runs out once it stops."""

from __future__ import annotations

import time
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_held_lease_is_renewed_until_released(
    published_flow: Any, user: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runtime import executions, leases
    from runtime.models import Execution
    from runtime.reconciler import reconcile_once

    settings.SLUICE_LEASE_S = 0.3
    monkeypatch.setattr(leases, "_keeper", None)  # a keeper of its own, on the short lease
    published_flow()
    execution, _ = executions.create_execution(
        executions.StartRequest(flow_key="loan-quote", input={"amount": 1}, user=user)
    )
    lease = timezone.now() + timedelta(seconds=0.3)
    Execution.objects.filter(pk=execution.pk).update(status="running", lease_expires_at=lease)

    def lease_left() -> float:
        row = Execution.objects.get(pk=execution.pk)
        return (row.lease_expires_at - timezone.now()).total_seconds()

    with leases.held(execution.pk):
        time.sleep(1.0)  # three leases long
        assert lease_left() > 0
        assert reconcile_once()["expired"] == 0
    time.sleep(0.5)
    assert lease_left() < 0
    assert reconcile_once()["expired"] == 1
