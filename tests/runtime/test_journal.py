"""Steps a pure run keeps in its journal: every reader sees them before and after filing,
filing moves them once, and a retry never loses the first attempt's."""

from __future__ import annotations

import io
import json
import threading
from typing import Any

import pytest
from django.db import connection

from runtime import journal
from runtime.models import Execution, Step
from tests.factories import linear_flow

pytestmark = pytest.mark.django_db(transaction=True)


def divide_flow() -> dict[str, Any]:
    """start → calc (10 / d) → end: fails while d is 0, and touches nothing outside."""
    calc = {
        "id": "calc",
        "type": "assign",
        "config": {"assignments": [{"variable": "x", "expression": "10 / d"}]},
    }
    end = {"id": "end", "type": "end", "config": {"output": {"x": "x"}}}
    return linear_flow("divide", [calc, end], parameters=[{"name": "d", "type": "integer"}])


def run_sync(api: Any, d: int) -> dict[str, Any]:
    response = api.post(
        "/api/flows/divide/executions?sync=true",
        json.dumps({"input": {"d": d}}),
        content_type="application/json",
    )
    assert response.status_code == 200
    return response.json()


def api_steps(api: Any, execution_id: str) -> list[dict[str, Any]]:
    response = api.get(f"/api/executions/{execution_id}/steps")
    assert response.status_code == 200
    return response.json()["items"]


def test_the_steps_api_is_the_same_before_and_after_filing(api: Any, published_flow: Any) -> None:
    published_flow(divide_flow())
    done = run_sync(api, 2)
    assert done["status"] == "completed" and done["output"] == {"x": 5}
    assert not Step.objects.filter(execution_id=done["id"]).exists()
    before = api_steps(api, done["id"])
    assert [s["node_id"] for s in before] == ["start", "calc", "end"]
    assert journal.file_journals() == 1
    assert Step.objects.filter(execution_id=done["id"]).count() == 3
    assert api_steps(api, done["id"]) == before


def test_the_websocket_snapshot_carries_the_journal(
    api: Any, published_flow: Any, user: Any
) -> None:
    from runtime.consumers import _snapshot

    published_flow(divide_flow())
    done = run_sync(api, 5)
    snapshot = _snapshot(user, Execution.objects.get(pk=done["id"]).pk)
    assert snapshot is not None
    assert [s["node_id"] for s in snapshot["steps"]] == ["start", "calc", "end"]


def test_a_retried_pure_run_keeps_both_attempts_in_order(
    api: Any, published_flow: Any, run_worker: Any
) -> None:
    published_flow(divide_flow())
    failed = run_sync(api, 0)
    assert failed["status"] == "failed" and failed["error"]["node"] == "calc"
    execution = Execution.objects.get(pk=failed["id"])
    execution.state["variables"]["d"] = 2  # the operator fixes the cause
    execution.save(update_fields=["state"])

    assert api.post(f"/api/executions/{failed['id']}/retry").status_code == 202
    execution.refresh_from_db()
    assert execution.journal is None  # the first attempt's steps were filed before it
    run_worker()
    execution.refresh_from_db()
    assert execution.status == "completed" and execution.output == {"x": 5}
    expected = [
        (1, "start", "completed"),
        (1, "calc", "failed"),
        (2, "calc", "completed"),
        (2, "end", "completed"),
    ]
    steps = api_steps(api, failed["id"])
    assert [(s["execution_attempt"], s["node_id"], s["status"]) for s in steps] == expected
    assert journal.file_journals() == 1  # the second attempt's
    assert api_steps(api, failed["id"]) == steps


def test_opening_an_execution_in_the_admin_files_its_journal(
    api: Any, published_flow: Any, admin_user: Any, client_for: Any
) -> None:
    published_flow(divide_flow())
    done = run_sync(api, 2)
    page = client_for(admin_user).get(f"/admin/runtime/execution/{done['id']}/change/")
    assert page.status_code == 200
    assert Step.objects.filter(execution_id=done["id"]).count() == 3
    assert b"calc" in page.content


def test_two_filers_at_once_file_each_journal_once(api: Any, published_flow: Any) -> None:
    published_flow(divide_flow())
    ids = [run_sync(api, 1)["id"] for _ in range(30)]
    filed: list[int] = []
    errors: list[BaseException] = []

    def filer() -> None:
        try:
            filed.append(journal.file_journals())
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=filer) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sum(filed) == 30
    assert Step.objects.filter(execution_id__in=ids).count() == 90
    assert not Execution.objects.filter(journal__isnull=False).exists()


def test_the_command_files_every_journal(api: Any, published_flow: Any) -> None:
    from django.core.management import call_command

    published_flow(divide_flow())
    ids = [run_sync(api, 2)["id"] for _ in range(3)]
    out = io.StringIO()
    call_command("file_journals", stdout=out)
    assert "filed the journals of 3 execution(s)" in out.getvalue()
    assert Step.objects.filter(execution_id__in=ids).count() == 9
    call_command("file_journals", stdout=out)
    assert Step.objects.filter(execution_id__in=ids).count() == 9


def test_the_reconciler_leaves_journals_alone(api: Any, published_flow: Any) -> None:
    """Filing in the background cost more CPU than it saved; the journal is the record."""
    from runtime.reconciler import reconcile_once

    published_flow(divide_flow())
    done = run_sync(api, 2)
    reconcile_once()
    assert Execution.objects.get(pk=done["id"]).journal is not None
