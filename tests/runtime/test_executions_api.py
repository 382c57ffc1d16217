"""Starting and following executions through the API, with a real Redis and RQ worker."""

from __future__ import annotations

import json
from typing import Any

import pytest

pytestmark = pytest.mark.django_db(transaction=True)


def start(client: Any, key: str = "loan-quote", body: Any = None, sync: bool = False) -> Any:
    url = f"/api/flows/{key}/executions" + ("?sync=true" if sync else "")
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def test_sync_run_answers_200_with_the_output(api: Any, published_flow: Any) -> None:
    published_flow()
    response = start(api, body={"input": {"amount": 100}}, sync=True)
    assert response.status_code == 200
    doc = response.json()
    assert doc["status"] == "completed"
    assert doc["mode"] == "sync"
    assert doc["output"] == {"total": 105.0, "approved": True, "customer": "guest"}
    steps = api.get(f"/api/executions/{doc['id']}/steps").json()["items"]
    assert [s["node_id"] for s in steps] == ["start", "calc", "check", "ok"]
    assert all(s["duration_ms"] is not None for s in steps)


def test_async_run_is_202_then_completed_by_the_worker(
    api: Any, published_flow: Any, run_worker: Any
) -> None:
    published_flow()
    response = start(api, body={"input": {"amount": 2000}})
    assert response.status_code == 202
    doc = response.json()
    assert doc["status"] == "pending"
    assert response["Location"] == f"/api/executions/{doc['id']}"
    assert run_worker() >= 1
    done = api.get(f"/api/executions/{doc['id']}").json()
    assert done["status"] == "completed"
    assert done["output"] == {"total": 2100.0, "approved": False}
    assert done["progress"] == 100
    steps = api.get(f"/api/executions/{doc['id']}/steps").json()["items"]
    assert [s["seq"] for s in steps] == sorted(s["seq"] for s in steps)
    assert steps[-1]["node_id"] == "no"


def test_bad_input_is_400_naming_the_parameter(api: Any, published_flow: Any) -> None:
    published_flow()
    response = start(api, body={"input": {"amount": "lots"}}, sync=True)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid_input"
    assert error["details"]["errors"][0]["field"] == "amount"


def test_unknown_and_unpublished_flows(api: Any) -> None:
    from tests.factories import LOAN_QUOTE, make_flow

    assert start(api, "nope").status_code == 404
    make_flow(LOAN_QUOTE)
    response = start(api, body={"input": {"amount": 1}})
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "not_published"


def test_others_cannot_see_an_execution_but_auditors_can(
    api: Any, client_for: Any, other_user: Any, admin_user: Any, published_flow: Any
) -> None:
    published_flow()
    doc = start(api, body={"input": {"amount": 1}}, sync=True).json()
    assert client_for(other_user).get(f"/api/executions/{doc['id']}").status_code == 404
    assert client_for(other_user).get("/api/executions").json()["count"] == 0
    assert client_for(admin_user).get(f"/api/executions/{doc['id']}").status_code == 200
    assert api.get("/api/executions/not-a-uuid").status_code == 404


def test_list_filters(api: Any, published_flow: Any) -> None:
    published_flow()
    start(api, body={"input": {"amount": 1}}, sync=True)
    start(api, body={"input": {"amount": 1}, "business_key": "order-7"})
    assert api.get("/api/executions?status=completed").json()["count"] == 1
    assert api.get("/api/executions?business_key=order-7").json()["count"] == 1
    assert api.get("/api/executions?flow=loan-quote").json()["count"] == 2


def test_cancel_a_pending_execution(api: Any, published_flow: Any, run_worker: Any) -> None:
    published_flow()
    doc = start(api, body={"input": {"amount": 1}}).json()
    response = api.post(f"/api/executions/{doc['id']}/cancel")
    assert response.status_code == 200
    assert response.json()["status"] == "cancelled"
    assert api.post(f"/api/executions/{doc['id']}/cancel").status_code == 409
    run_worker()
    after = api.get(f"/api/executions/{doc['id']}").json()
    assert after["status"] == "cancelled"
    assert api.get(f"/api/executions/{doc['id']}/steps").json()["items"] == []
