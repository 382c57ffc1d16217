"""How runs are written: pure steps in batches, everything else committed before it acts,
and few statements per execution."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from runtime.step_rows import steps_of
from tests.factories import linear_flow

pytestmark = pytest.mark.django_db(transaction=True)


def assign(name: str, expression: str) -> dict[str, Any]:
    return {
        "id": name,
        "type": "assign",
        "config": {"assignments": [{"variable": name, "expression": expression}]},
    }


def pure_flow(key: str = "pure") -> dict[str, Any]:
    """start, eight assigns and end: ten pure steps."""
    nodes = [assign(f"v{i}", f"{i} + 1") for i in range(8)]
    return linear_flow(key, [*nodes, {"id": "end", "type": "end", "config": {"output": {}}}])


def writes(queries: CaptureQueriesContext) -> list[str]:
    """The write statements, by verb; an executemany (logged as "10 times: INSERT ...") is one."""
    verbs = [
        re.sub(r"^\d+ times: ", "", q["sql"]).split()[0].upper() for q in queries.captured_queries
    ]
    return [verb for verb in verbs if verb in {"INSERT", "UPDATE", "DELETE"}]


def assert_filed_as_rows(execution: Any) -> None:
    """The journal becomes the same steps as Step rows, once, and the journal is cleared."""
    from runtime import journal
    from runtime.documents import step_document

    before = [step_document(s) for s in steps_of(execution)]
    assert journal.file_journals() == 1
    assert journal.file_journals() == 0
    execution.refresh_from_db()
    assert execution.journal is None
    assert [step_document(s) for s in execution.steps.order_by("seq")] == before


def start(user: Any, key: str, sync: bool = False) -> Any:
    from runtime import executions

    request = executions.StartRequest(flow_key=key, input={}, user=user)
    run = executions.start_sync if sync else executions.create_execution
    return run(request)[0]


def test_an_async_pure_run_is_written_once(published_flow: Any, user: Any) -> None:
    from runtime import executions
    from runtime.models import Execution

    published_flow(pure_flow())
    execution = start(user, "pure")
    with CaptureQueriesContext(connection) as queries:
        executions.run_queued(execution.pk)
    done = Execution.objects.get(pk=execution.pk)
    assert done.status == "completed"
    assert [step.seq for step in steps_of(done)] == list(range(1, 11))
    # pending -> completed with the ten steps in its journal, in one statement: no claim
    assert writes(queries) == ["UPDATE"]
    assert done.started_at is not None and done.finished_at >= done.started_at
    assert_filed_as_rows(done)


def test_a_pure_run_cancelled_before_it_is_stored_leaves_no_steps(
    published_flow: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The cancel lands while the worker runs the steps in memory: it wins, and the steps
    (which touched nothing outside) are not recorded for a cancelled execution."""
    from runtime import engine, executions
    from runtime.models import Execution

    published_flow(pure_flow())
    execution = start(user, "pure")
    real_run = engine.run

    def run_then_cancel(*args: Any, **kwargs: Any) -> Any:
        state = real_run(*args, **kwargs)
        executions.cancel(Execution.objects.get(pk=execution.pk))
        return state

    monkeypatch.setattr(engine, "run", run_then_cancel)
    executions.run_queued(execution.pk)
    done = Execution.objects.get(pk=execution.pk)
    assert done.status == "cancelled"
    assert done.steps.count() == 0


def test_a_sync_pure_run_is_stored_once_finished(published_flow: Any, user: Any) -> None:
    published_flow(pure_flow())
    with CaptureQueriesContext(connection) as queries:
        execution = start(user, "pure", sync=True)
    assert execution.status == "completed"
    assert writes(queries) == ["INSERT"]  # the execution, finished, with its journal
    assert [step.seq for step in steps_of(execution)] == list(range(1, 11))
    assert_filed_as_rows(execution)


def test_steps_before_an_http_call_are_committed_before_it_is_sent(
    published_flow: Any, user: Any, receiver: Any, settings: Any
) -> None:
    """A worker that dies during the call resumes after the steps before it, never before."""
    from runtime import executions
    from runtime.models import Step

    settings.SLUICE_HTTP_ALLOW_PRIVATE = True
    call = {"id": "call", "type": "http", "config": {"method": "GET", "url": f"'{receiver.url}'"}}
    published_flow(
        linear_flow("calls", [assign("a", "1"), assign("b", "2"), call, assign("c", "3")])
    )
    execution = start(user, "calls")
    seen: list[list[str]] = []
    receiver.on_request = lambda: seen.append(
        list(
            Step.objects.filter(execution_id=execution.pk)
            .order_by("seq")
            .values_list("node_id", flat=True)
        )
    )
    executions.run_queued(execution.pk)
    assert seen == [["start", "a", "b"]]
    recorded = Step.objects.filter(execution_id=execution.pk).order_by("seq")
    assert list(recorded.values_list("node_id", flat=True)) == [
        "start",
        "a",
        "b",
        "call",
        "c",
        "end",
    ]


def test_a_long_pure_run_is_checkpointed_as_it_goes(
    published_flow: Any, user: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runtime import executions

    monkeypatch.setattr(executions._StepObserver, "BATCH_S", 0.0)
    published_flow(pure_flow())
    execution = start(user, "pure")
    with CaptureQueriesContext(connection) as queries:
        executions.run_queued(execution.pk)
    # every step but the last is its own checkpoint once the batch interval is zero
    assert writes(queries).count("INSERT") == 10
