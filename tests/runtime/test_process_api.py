"""Who may fire what, the JSON errors of the transition and event endpoints, the task list and
task pages, and the audit in the admin."""

from __future__ import annotations

import re
from typing import Any

import pytest

from tests.runtime.process_support import (
    HIGH_RISK,
    approver,
    fire,
    fresh,
    post,
    start_loan,
)

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def manager(django_user_model: Any) -> Any:
    return approver(django_user_model, "bob", "managers")


def error_code(response: Any) -> str:
    return response.json()["error"]["code"]


def test_only_the_group_or_an_auditor_may_fire_and_bad_requests_are_json(
    waiting_loan: str, api: Any, client_for: Any, manager: Any, other_user: Any, admin_user: Any
) -> None:
    from django.test import Client

    bob = client_for(manager)
    unknown = fire(bob, "6f1c0000-0000-4000-8000-000000000000", "approve")
    assert (unknown.status_code, error_code(unknown)) == (404, "not_found")
    assert fire(bob, "not-a-uuid", "approve").status_code == 404
    assert fire(Client(), waiting_loan, "approve").status_code == 401
    for outsider in (client_for(other_user), api):  # a stranger, and the requester herself
        refused = fire(outsider, waiting_loan, "approve")
        assert (refused.status_code, error_code(refused)) == (403, "forbidden")
    for name in ("escalate", "nope"):  # a timer's transition is not a button
        conflict = fire(bob, waiting_loan, name)
        assert (conflict.status_code, error_code(conflict)) == (409, "not_waiting")
        assert conflict.json()["error"]["details"]["waiting_for"] == [
            "approve",
            "reject",
            "escalate",
        ]
    path = f"/api/executions/{waiting_loan}/transitions/approve"
    assert error_code(post(bob, path, {"input": [1]})) == "invalid_request"
    too_big = fire(bob, waiting_loan, "approve", {"comment": "x" * 100_001})
    assert (too_big.status_code, error_code(too_big)) == (400, "invalid_input")
    assert fresh(waiting_loan).status == "waiting"

    accepted = fire(client_for(admin_user), waiting_loan, "approve")
    assert accepted.status_code == 202
    late = fire(bob, waiting_loan, "reject")
    assert (late.status_code, error_code(late)) == (409, "not_waiting")


def test_events_need_a_correlation_and_reach_only_what_the_sender_may(
    waiting_loan: str,
    api: Any,
    client_for: Any,
    other_user: Any,
    django_user_model: Any,
    run_worker: Any,
) -> None:
    from django.contrib.auth.models import Permission

    from runtime.models import ProcessEvent

    missing = post(api, "/api/events/documents_received", {"payload": {}})
    assert (missing.status_code, error_code(missing)) == (400, "missing_correlation")
    bad = post(api, "/api/events/documents_received", {"execution": "nope"})
    assert (bad.status_code, error_code(bad)) == (400, "invalid_execution")

    # The loan waits for a manager, not for documents: reported, and kept for the audit.
    stray = post(api, "/api/events/documents_received", {"execution": waiting_loan})
    assert stray.status_code == 202
    assert (stray.json()["delivered"], stray.json()["unmatched"]) == ([], True)
    recorded = ProcessEvent.objects.get(pk=stray.json()["id"])
    assert (recorded.execution_ref, recorded.unmatched) == (waiting_loan, True)

    high = start_loan(api, HIGH_RISK, business_key="loan-8")
    run_worker()
    body = {"business_key": "loan-8", "payload": {"forged": True}}
    foreign = post(client_for(other_user), "/api/events/documents_received", body).json()
    assert foreign["unmatched"] is True
    assert fresh(high).current_node == "documents"

    integration = django_user_model.objects.create_user("integration")
    integration.user_permissions.add(Permission.objects.get(codename="send_event"))
    sent = post(client_for(integration), "/api/events/documents_received", body).json()
    assert (sent["delivered"], sent["unmatched"]) == ([high], False)
    assert fresh(high).waits.get(node_id="documents").fired_by == integration


def test_task_list_and_task_page_for_the_managers_group(
    waiting_loan: str, client_for: Any, manager: Any, other_user: Any
) -> None:
    from runtime.models import Wait

    wait = Wait.objects.get(execution_id=waiting_loan)
    bob = client_for(manager)
    listing = bob.get("/tasks/").content.decode()
    assert f'data-testid="task-{wait.pk}"' in listing
    assert "Manager approval" in listing and "loan-7" in listing
    assert 'data-testid="no-tasks"' in client_for(other_user).get("/tasks/").content.decode()

    page = bob.get(f"/tasks/{wait.pk}/").content.decode()
    assert 'data-testid="transition-approve"' in page
    assert 'data-testid="transition-reject"' in page
    assert 'data-testid="transition-escalate"' not in page
    assert 'data-testid="field-comment"' in page
    assert re.search(r'data-testid="data-applicant">Ada<', page)
    assert client_for(other_user).get(f"/tasks/{wait.pk}/").status_code == 404

    fire(bob, waiting_loan, "approve")
    assert f"task-{wait.pk}" not in bob.get("/tasks/").content.decode()
    after = bob.get(f"/tasks/{wait.pk}/").content.decode()
    assert "transition-approve" not in after
    assert re.search(r"approve \(manual by bob\)", after)


def test_a_state_without_assignee_is_the_starters_task(
    published_flow: Any, api: Any, client_for: Any, other_user: Any, run_worker: Any
) -> None:
    document = {
        "key": "confirm",
        "name": "Confirm",
        "kind": "process",
        "parameters": [],
        "graph": {
            "nodes": [
                {"id": "start", "type": "start"},
                {"id": "ask", "type": "state", "config": {"label": "Confirm it"}},
                {"id": "end", "type": "end", "config": {"output": {"ok": "true"}}},
            ],
            "edges": [
                {"id": "e1", "source": "start", "target": "ask"},
                {"id": "go", "source": "ask", "target": "end", "trigger": "manual", "name": "go"},
            ],
        },
    }
    published_flow(document)
    execution_id = post(api, "/api/flows/confirm/executions", {}).json()["id"]
    run_worker()
    assert "Confirm it" in api.get("/tasks/").content.decode()
    assert "Confirm it" not in client_for(other_user).get("/tasks/").content.decode()
    assert fire(client_for(other_user), execution_id, "go").status_code == 403
    response = fire(api, execution_id, "go", sync=True)
    assert (response.status_code, response.json()["output"]) == (200, {"ok": True})


def test_the_admin_audits_transitions_timers_and_events(
    waiting_loan: str, api: Any, client_for: Any, manager: Any, admin_user: Any
) -> None:
    fire(client_for(manager), waiting_loan, "approve", {"comment": "ok by me"})
    post(api, "/api/events/nobody_waits", {"business_key": "loan-7", "payload": {"n": 1}})
    admin = client_for(admin_user)
    page = admin.get(f"/admin/runtime/execution/{waiting_loan}/change/").content.decode()
    assert "Waits and transitions" in page
    assert re.search(r"approve.*manual.*bob", page, re.S)
    assert "ok by me" in page
    timers = admin.get("/admin/runtime/timer/").content.decode()
    assert "escalate" in timers and "disarmed" in timers.lower()
    events = admin.get("/admin/runtime/processevent/?unmatched__exact=1").content.decode()
    assert "nobody_waits" in events
