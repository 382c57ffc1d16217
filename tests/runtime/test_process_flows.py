"""The demo loan application driven through each path (approved, rejected, escalated by its
timer, continued by an event) through the real API, with real RQ workers and the RQ scheduler
(burst workers with the scheduler) on a real Redis."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest

from tests.runtime.process_support import (
    HIGH_RISK,
    LOW_RISK,
    approver,
    drop_timer_jobs,
    fire,
    fresh,
    post,
    start_loan,
    transitions,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def demo() -> Iterator[None]:
    from designer.demo import load_demo

    load_demo()
    yield
    drop_timer_jobs()


@pytest.fixture
def manager(django_user_model: Any) -> Any:
    return approver(django_user_model, "bob", "managers")


@pytest.fixture
def senior(django_user_model: Any) -> Any:
    return approver(django_user_model, "carol", "senior-managers")


def test_approved_by_a_manager(
    demo: None, api: Any, client_for: Any, manager: Any, run_worker: Any
) -> None:
    import django_rq
    from rq.job import Job

    from runtime.models import Execution, Timer, Wait
    from runtime.timer_jobs import job_id

    execution_id = start_loan(api, LOW_RISK)
    run_worker()
    waiting = fresh(execution_id)
    assert (waiting.status, waiting.current_node) == ("waiting", "review")
    assert [(w["name"], w["trigger"]) for w in waiting.waiting_for] == [
        ("approve", "manual"),
        ("reject", "manual"),
        ("escalate", "scheduled"),
    ]
    child = Execution.objects.get(parent_id=execution_id)
    assert (child.flow_key, child.status, child.output["level"]) == (
        "risk-score",
        "completed",
        "low",
    )
    wait = Wait.objects.get(execution_id=execution_id)
    assert (wait.group, wait.is_task, wait.left_at) == ("managers", True, None)
    timer = Timer.objects.get(wait=wait)
    assert timer.due_at == wait.entered_at + timedelta(seconds=120)
    redis = django_rq.get_connection("default")
    assert Job.exists(job_id(timer.pk), connection=redis)

    response = fire(client_for(manager), execution_id, "approve", {"comment": "fine"})
    assert response.status_code == 202, response.content
    assert response.json()["status"] == "pending"
    assert response["Location"] == f"/api/executions/{execution_id}"
    run_worker()
    done = fresh(execution_id)
    assert done.status == "completed"
    assert done.output == {
        "decision": "approved",
        "applicant": "Ada",
        "amount": 1000.0,
        "risk": "low",
        "comment": "fine",
    }
    assert transitions(execution_id) == [("review", "approve", "manual")]
    wait.refresh_from_db()
    assert (wait.fired_by, wait.payload) == (manager, {"comment": "fine"})
    timer.refresh_from_db()
    assert timer.status == "disarmed"
    assert not Job.exists(job_id(timer.pk), connection=redis)


def test_rejected_with_sync_answers_at_the_end(
    demo: None, api: Any, client_for: Any, manager: Any, run_worker: Any
) -> None:
    execution_id = start_loan(api, LOW_RISK)
    run_worker()
    response = fire(client_for(manager), execution_id, "reject", sync=True)
    assert response.status_code == 200, response.content
    document = response.json()
    assert (document["status"], document["output"]["decision"]) == ("completed", "rejected")
    assert transitions(execution_id) == [("review", "reject", "manual")]
    again = fire(client_for(manager), execution_id, "approve")
    assert again.status_code == 409
    assert again.json()["error"]["code"] == "not_waiting"


def test_escalated_by_the_timer_on_the_rq_scheduler(
    demo: None, api: Any, client_for: Any, manager: Any, senior: Any, run_worker: Any
) -> None:
    """Time moves forward: the timer is made due and rescheduled, and the worker's scheduler
    fires it; the process then waits for a senior manager."""
    from django.utils import timezone

    from runtime import timer_jobs
    from runtime.models import Timer

    execution_id = start_loan(api, LOW_RISK)
    run_worker()
    timers = Timer.objects.filter(wait__execution_id=execution_id)
    timers.update(due_at=timezone.now() - timedelta(seconds=1))
    timer_jobs.schedule(timers)
    run_worker()
    escalated = fresh(execution_id)
    assert (escalated.status, escalated.current_node) == ("waiting", "senior_review")
    assert [w["name"] for w in escalated.waiting_for] == ["approve", "reject"]
    assert timers.get().status == "fired"
    assert transitions(execution_id) == [
        ("review", "escalate", "scheduled"),
        ("senior_review", "", ""),
    ]

    refused = fire(client_for(manager), execution_id, "approve")
    assert refused.status_code == 403
    assert refused.json()["error"]["code"] == "forbidden"
    response = fire(client_for(senior), execution_id, "approve", sync=True)
    assert response.status_code == 200, response.content
    assert response.json()["output"]["decision"] == "approved after escalation"


def test_continued_by_the_documents_event(
    demo: None, api: Any, client_for: Any, manager: Any, run_worker: Any
) -> None:
    from runtime.models import ProcessEvent

    execution_id = start_loan(api, HIGH_RISK, business_key="loan-42")
    run_worker()
    waiting = fresh(execution_id)
    assert (waiting.status, waiting.current_node) == ("waiting", "documents")
    assert not waiting.waits.get().is_task

    body = {"business_key": "loan-42", "payload": {"files": ["payslip.pdf"]}}
    response = post(api, "/api/events/documents_received", body)
    assert response.status_code == 202, response.content
    answer = response.json()
    assert (answer["event"], answer["delivered"], answer["unmatched"]) == (
        "documents_received",
        [execution_id],
        False,
    )
    run_worker()
    assert fresh(execution_id).current_node == "review"
    late = post(api, "/api/events/documents_received", body).json()
    assert (late["delivered"], late["unmatched"]) == ([], True)
    assert ProcessEvent.objects.filter(unmatched=True, business_key="loan-42").count() == 1

    fire(client_for(manager), execution_id, "approve")
    run_worker()
    done = fresh(execution_id)
    assert (done.status, done.output["decision"], done.output["risk"]) == (
        "completed",
        "approved",
        "high",
    )
    assert transitions(execution_id) == [
        ("documents", "documents_received", "event"),
        ("review", "approve", "manual"),
    ]
    assert done.waits.get(node_id="documents").payload == body["payload"]
