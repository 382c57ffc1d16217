"""Timers from the database: the reconciler's sweep with an injectable clock fires each due
timer once, never one whose wait is over, arms waits a dead worker missed, and `at` timers
use the datetime the engine evaluated. Also: the demo documents are valid."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.runtime.process_support import (
    approver,
    drop_timer_jobs,
    fire,
    fresh,
    post,
)

pytestmark = pytest.mark.django_db(transaction=True)


def test_due_timers_fire_once_when_the_clock_passes_due(waiting_loan: str, run_worker: Any) -> None:
    from runtime.models import Timer
    from runtime.timers import fire_due_timers

    timer = Timer.objects.get(wait__execution_id=waiting_loan)
    assert fire_due_timers(now=timer.due_at - timedelta(seconds=1)) == 0
    assert fresh(waiting_loan).status == "waiting"
    later = timer.due_at + timedelta(days=3)
    assert fire_due_timers(now=later) == 1
    assert fire_due_timers(now=later) == 0
    run_worker()
    assert fresh(waiting_loan).current_node == "senior_review"
    timer.refresh_from_db()
    assert (timer.status, timer.closed_at is not None) == ("fired", True)


def test_a_timer_of_a_wait_that_is_over_never_fires(
    waiting_loan: str, client_for: Any, django_user_model: Any, run_worker: Any
) -> None:
    """Even if its disarming was lost: the firing is pinned to the stay it was armed for."""
    from runtime.models import Timer
    from runtime.reconciler import reconcile_once
    from runtime.timers import fire_timer

    bob = approver(django_user_model, "bob", "managers")
    assert fire(client_for(bob), waiting_loan, "reject").status_code == 202
    run_worker()
    timer = Timer.objects.get(wait__execution_id=waiting_loan)
    assert timer.status == "disarmed"
    Timer.objects.filter(pk=timer.pk).update(status="armed", due_at=datetime.now(UTC))
    reconcile_once()
    assert fire_timer(timer.pk, now=timer.due_at + timedelta(days=1)) is False
    timer.refresh_from_db()
    assert timer.status == "disarmed"
    done = fresh(waiting_loan)
    assert (done.status, done.output["decision"]) == ("completed", "rejected")


def test_the_reconciler_records_a_wait_the_worker_missed(waiting_loan: str) -> None:
    """A worker that died between recording `waiting` and arming leaves no wait and no timer;
    the sweep arms it, keeping the schedule from when the state was entered."""
    from runtime.models import Step, Wait
    from runtime.reconciler import reconcile_once

    Wait.objects.filter(execution_id=waiting_loan).delete()
    reconcile_once()
    wait = Wait.objects.get(execution_id=waiting_loan)
    entered = Step.objects.get(execution_id=waiting_loan, node_id="review").started_at
    assert wait.entered_at == entered
    assert wait.timers.get().due_at == entered + timedelta(seconds=120)


def at_process(at: str) -> dict[str, Any]:
    return {
        "key": "follow-up",
        "name": "Follow up",
        "kind": "process",
        "parameters": [{"name": "when", "type": "datetime", "required": True}],
        "graph": {
            "nodes": [
                {"id": "start", "type": "start"},
                {"id": "hold", "type": "state", "config": {"label": "Hold"}},
                {"id": "end", "type": "end", "config": {"output": {"how": "transition.trigger"}}},
            ],
            "edges": [
                {"id": "e1", "source": "start", "target": "hold"},
                {"id": "due", "source": "hold", "target": "end", "trigger": "scheduled", "at": at},
            ],
        },
    }


@pytest.fixture
def publish_at(published_flow: Any) -> Iterator[Callable[[str], Any]]:
    """Publish the follow-up process with the given `at` expression."""
    yield lambda at: published_flow(at_process(at))
    drop_timer_jobs()


def test_an_at_timer_is_due_at_the_evaluated_datetime(
    publish_at: Any, api: Any, run_worker: Any
) -> None:
    from runtime.models import Timer
    from runtime.timers import fire_due_timers

    publish_at("timestamp(when) + duration('48h')")
    body = {"input": {"when": "2031-05-01T09:30:00Z"}}
    execution_id = post(api, "/api/flows/follow-up/executions", body).json()["id"]
    run_worker()
    timer = Timer.objects.get(wait__execution_id=execution_id)
    assert timer.due_at == datetime(2031, 5, 3, 9, 30, tzinfo=UTC)
    assert fire_due_timers(now=datetime(2031, 5, 3, 9, 29, tzinfo=UTC)) == 0
    assert fire_due_timers(now=datetime(2031, 5, 3, 9, 31, tzinfo=UTC)) == 1
    run_worker()
    assert fresh(execution_id).output == {"how": "scheduled"}


def test_an_at_that_is_not_a_datetime_fails_the_state(publish_at: Any, api: Any) -> None:
    publish_at("'next tuesday'")
    body = {"input": {"when": "2031-05-01T09:30:00Z"}}
    document = post(api, "/api/flows/follow-up/executions?sync=true", body).json()
    assert document["status"] == "failed"
    assert (document["error"]["node"], document["error"]["type"]) == ("hold", "expression")
    assert "RFC 3339" in document["error"]["message"]


def test_the_demo_is_valid_and_sets_up_its_approvers(django_user_model: Any) -> None:
    from django.contrib.auth.models import Group

    from designer.demo import DEMO_FLOWS, ensure_admin, load_demo
    from designer.models import Screen
    from runtime import engine

    documents = {d["key"]: d for d in DEMO_FLOWS}
    for document in DEMO_FLOWS:
        assert engine.validate(document, flow_lookup=documents.get) == []
    assert set(load_demo()) == set(documents)
    assert Screen.objects.filter(key__in=["loan-application", "loan-approval"]).count() == 2
    username, _ = ensure_admin()
    admin = django_user_model.objects.get(username=username)
    assert set(admin.groups.values_list("name", flat=True)) == {"managers", "senior-managers"}
    assert Group.objects.filter(name="managers").exists()
