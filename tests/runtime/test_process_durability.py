"""Faults around waiting processes: the worker and its scheduler restarted while processes wait
on a timer and on an event, Redis losing a scheduled timer, and two people deciding one state
at the same moment. Each transition fires exactly once."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import httpx
import pytest

from tests.conftest import LiveServer, _child_env
from tests.runtime.process_support import (
    HIGH_RISK,
    LOW_RISK,
    approver,
    drop_timer_jobs,
    fresh,
    live_client,
    post,
    reaches,
    start_loan,
    transitions,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def workers() -> Iterator[LiveServer]:
    """Worker processes (with the scheduler) on this test process's Redis database, so what
    the test enqueues, schedules or flushes is what they see."""
    server = LiveServer(_child_env())
    yield server
    server.stop_all()


@pytest.fixture
def demo() -> Iterator[None]:
    from designer.demo import load_demo

    load_demo()
    yield
    drop_timer_jobs()


def test_timer_and_event_fire_once_across_a_worker_restart_and_lost_redis_jobs(
    workers: LiveServer, demo: None, api: Any
) -> None:
    import django_rq
    from django.utils import timezone

    from runtime import timer_jobs
    from runtime.models import Step, Timer
    from runtime.reconciler import reconcile_once

    workers.start_worker()
    by_scheduler = start_loan(api, LOW_RISK)
    by_reconciler = start_loan(api, LOW_RISK)
    by_event = start_loan(api, HIGH_RISK, business_key="loan-docs")
    for execution_id, node in (
        (by_scheduler, "review"),
        (by_reconciler, "review"),
        (by_event, "documents"),
    ):
        reaches(execution_id, "waiting", node)
    workers.stop("worker")

    # While nothing runs: one timer falls due (its RQ job intact), another falls due with its
    # RQ job lost (as if Redis lost it), and the event arrives.
    soon = timezone.now() + timedelta(seconds=1)
    Timer.objects.filter(wait__execution_id__in=[by_scheduler, by_reconciler]).update(due_at=soon)
    timer_jobs.schedule(Timer.objects.filter(wait__execution_id=by_scheduler))
    lost = Timer.objects.get(wait__execution_id=by_reconciler)
    registry = django_rq.get_queue("default").scheduled_job_registry
    registry.remove(timer_jobs.job_id(lost.pk), delete_job=True)
    assert timer_jobs.job_id(lost.pk) not in registry.get_job_ids()
    answer = post(api, "/api/events/documents_received", {"business_key": "loan-docs"}).json()
    assert answer["delivered"] == [by_event]
    time.sleep(1.2)

    workers.start_worker()
    reaches(by_scheduler, "waiting", "senior_review")
    reaches(by_event, "waiting", "review")
    time.sleep(1.5)  # the new scheduler has had its turn: the lost timer is still armed
    assert Timer.objects.get(pk=lost.pk).status == "armed"
    assert fresh(by_reconciler).current_node == "review"

    reconcile_once()
    reaches(by_reconciler, "waiting", "senior_review")
    reconcile_once()
    timer_jobs.fire_timer_job(str(lost.pk))  # a late duplicate of the lost job
    post(api, "/api/events/documents_received", {"business_key": "loan-docs"})
    time.sleep(0.5)

    for execution_id in (by_scheduler, by_reconciler):
        assert transitions(execution_id) == [
            ("review", "escalate", "scheduled"),
            ("senior_review", "", ""),
        ]
        assert Timer.objects.get(wait__execution_id=execution_id).status == "fired"
    assert transitions(by_event) == [
        ("documents", "documents_received", "event"),
        ("review", "", ""),
    ]
    for execution_id in (by_scheduler, by_reconciler, by_event):
        nodes = list(
            Step.objects.filter(execution_id=execution_id)
            .order_by("seq")
            .values_list("node_id", flat=True)
        )
        assert len(nodes) == len(set(nodes)), nodes


def test_two_people_deciding_at_once_exactly_one_wins(
    sluice_server: LiveServer, demo: None, user: Any, django_user_model: Any
) -> None:
    """Approve and reject of one state, sent at the same moment to the live server."""
    from runtime.models import Wait

    requester = live_client(sluice_server.url, user)
    bob = live_client(sluice_server.url, approver(django_user_model, "bob", "managers"))
    dave = live_client(sluice_server.url, approver(django_user_model, "dave", "managers"))
    ids = [start_loan_live(requester) for _ in range(3)]
    for execution_id in ids:
        reaches(execution_id, "waiting", "review")

    for execution_id in ids:
        answers = at_once(execution_id, {"approve": bob, "reject": dave})
        codes = sorted(response.status_code for response in answers.values())
        assert codes == [202, 409], {k: v.text for k, v in answers.items()}
        winner = next(name for name, r in answers.items() if r.status_code == 202)
        loser = answers["reject" if winner == "approve" else "approve"]
        assert loser.json()["error"]["code"] == "not_waiting"
        done = reaches(execution_id, "completed")
        assert done.output["decision"] == ("approved" if winner == "approve" else "rejected")
        assert transitions(execution_id) == [("review", winner, "manual")]
        assert Wait.objects.get(execution_id=execution_id).fired_by.username == (
            "bob" if winner == "approve" else "dave"
        )


def at_once(execution_id: str, deciders: dict[str, httpx.Client]) -> dict[str, httpx.Response]:
    """Each transition posted by its own thread, released together by a barrier."""
    gate = threading.Barrier(len(deciders))
    answers: dict[str, httpx.Response] = {}

    def decide(name: str, client: httpx.Client) -> None:
        gate.wait()
        answers[name] = client.post(
            f"/api/executions/{execution_id}/transitions/{name}", json={"input": {}}
        )

    threads = [threading.Thread(target=decide, args=item) for item in deciders.items()]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return answers


def start_loan_live(client: httpx.Client) -> str:
    response = client.post("/api/flows/loan-application/executions", json={"input": LOW_RISK})
    assert response.status_code == 202, response.text
    return response.json()["id"]
