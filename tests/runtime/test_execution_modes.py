"""Sync with hybrid hand-off, retries from the failed node, idempotency, business keys and
webhooks — against a real Redis and real RQ workers."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import pytest

from tests.factories import linear_flow

pytestmark = pytest.mark.django_db(transaction=True)


def start(client: Any, key: str, body: Any = None, sync: bool = False, **headers: str) -> Any:
    url = f"/api/flows/{key}/executions" + ("?sync=true" if sync else "")
    return client.post(url, json.dumps(body or {}), content_type="application/json", **headers)


def steps_of(client: Any, execution_id: str) -> list[dict[str, Any]]:
    return client.get(f"/api/executions/{execution_id}/steps").json()["items"]


def slow_flow() -> dict[str, Any]:
    return linear_flow(
        "slow",
        [
            {"id": "wait", "type": "delay", "config": {"seconds": 0.4}},
            {
                "id": "calc",
                "type": "assign",
                "config": {"assignments": [{"variable": "x", "expression": "41 + 1"}]},
            },
            {"id": "end", "type": "end", "config": {"output": {"x": "x"}}},
        ],
    )


def test_sync_past_its_bound_is_handed_to_a_worker(
    api: Any, published_flow: Any, run_worker: Any, settings: Any
) -> None:
    settings.SLUICE_SYNC_TIMEOUT_S = 0.1
    published_flow(slow_flow())
    response = start(api, "slow", {"input": {}}, sync=True)
    assert response.status_code == 202
    doc = response.json()
    assert doc["status"] == "pending"
    assert doc["mode"] == "async"
    run_worker()
    done = api.get(f"/api/executions/{doc['id']}").json()
    assert done["status"] == "completed"
    assert done["output"] == {"x": 42}
    nodes = [s["node_id"] for s in steps_of(api, doc["id"])]
    assert nodes == ["start", "wait", "calc", "end"]


def test_a_delay_longer_than_the_bound_is_handed_off_before_it_waits(
    api: Any, published_flow: Any, settings: Any
) -> None:
    settings.SLUICE_SYNC_TIMEOUT_S = 2.0
    document = slow_flow()
    document["graph"]["nodes"][1]["config"]["seconds"] = 30
    published_flow(document)
    began = time.monotonic()
    response = start(api, "slow", {"input": {}}, sync=True)
    assert response.status_code == 202
    assert time.monotonic() - began < 1.5
    assert response.json()["current_node"] == "wait"


def test_retry_resumes_from_the_failed_node_as_a_new_attempt(
    api: Any, published_flow: Any, run_worker: Any, receiver: Any, settings: Any
) -> None:
    settings.SLUICE_HTTP_ALLOW_PRIVATE = True
    receiver.statuses = []
    document = linear_flow(
        "fetch",
        [
            {
                "id": "mark",
                "type": "assign",
                "config": {"assignments": [{"variable": "before", "expression": "'kept'"}]},
            },
            {
                "id": "get",
                "type": "http",
                "config": {"method": "GET", "url": "target", "result_variable": "resp"},
            },
            {
                "id": "end",
                "type": "end",
                "config": {"output": {"status": "resp.status", "before": "before"}},
            },
        ],
        parameters=[{"name": "target", "type": "string", "required": True}],
    )
    published_flow(document)
    dead_url = "http://127.0.0.1:9/unreachable"
    failed = start(api, "fetch", {"input": {"target": dead_url}}, sync=True).json()
    assert failed["status"] == "failed"
    assert failed["error"]["node"] == "get"

    from runtime.models import Execution

    # Point the saved variables at a live receiver, as an operator fixing the cause would.
    execution = Execution.objects.get(pk=failed["id"])
    execution.state["variables"]["target"] = receiver.url + "/ok"
    execution.save(update_fields=["state"])

    response = api.post(f"/api/executions/{failed['id']}/retry")
    assert response.status_code == 202
    assert response.json()["attempt"] == 2
    run_worker()
    done = api.get(f"/api/executions/{failed['id']}").json()
    assert done["status"] == "completed"
    assert done["output"] == {"status": 200, "before": "kept"}
    steps = steps_of(api, failed["id"])
    assert [(s["execution_attempt"], s["node_id"], s["status"]) for s in steps] == [
        (1, "start", "completed"),
        (1, "mark", "completed"),
        (1, "get", "failed"),
        (2, "get", "completed"),
        (2, "end", "completed"),
    ]
    assert receiver.requests[0]["headers"]["Idempotency-Key"].endswith(":get:1")
    assert api.post(f"/api/executions/{failed['id']}/retry").status_code == 409


def test_idempotency_key_returns_the_first_execution(api: Any, published_flow: Any) -> None:
    published_flow()
    body = {"input": {"amount": 5}}
    first = start(api, "loan-quote", body, sync=True, HTTP_IDEMPOTENCY_KEY="k-1")
    again = start(api, "loan-quote", body, sync=True, HTTP_IDEMPOTENCY_KEY="k-1")
    assert first.status_code == again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = start(api, "loan-quote", {"input": {"amount": 6}}, HTTP_IDEMPOTENCY_KEY="k-1")
    assert other.status_code == 409
    assert other.json()["error"]["code"] == "idempotency_conflict"
    fresh = start(api, "loan-quote", body, sync=True, HTTP_IDEMPOTENCY_KEY="k-2")
    assert fresh.json()["id"] != first.json()["id"]


def test_unique_business_key_among_active_executions(
    api: Any, published_flow: Any, run_worker: Any
) -> None:
    flow = published_flow()
    flow.business_key_unique = True
    flow.save()
    body = {"input": {"amount": 5}, "business_key": "order-1"}
    assert start(api, "loan-quote", body).status_code == 202
    clash = start(api, "loan-quote", body)
    assert clash.status_code == 409
    assert clash.json()["error"]["code"] == "business_key_in_use"
    run_worker()
    assert start(api, "loan-quote", body).status_code == 202


def _verify(signature: str, body: bytes, secret: str) -> bool:
    parts = dict(item.split("=", 1) for item in signature.split(","))
    expected = hmac.new(secret.encode(), f"{parts['t']}.".encode() + body, hashlib.sha256)
    return hmac.compare_digest(expected.hexdigest(), parts["v1"])


def test_webhook_is_signed_and_retried_until_delivered(
    api: Any, published_flow: Any, run_worker: Any, receiver: Any, settings: Any
) -> None:
    settings.SLUICE_HTTP_ALLOW_PRIVATE = True
    settings.SLUICE_WEBHOOK_BACKOFF_S = 0.05
    receiver.statuses = [500, 503]
    published_flow()
    body = {"input": {"amount": 5}, "callback_url": receiver.url + "/hook"}
    execution_id = start(api, "loan-quote", body).json()["id"]
    for _ in range(40):
        run_worker()
        if len(receiver.requests) >= 3:
            break
        time.sleep(0.1)
    from runtime.models import WebhookDelivery

    deliveries = list(WebhookDelivery.objects.filter(execution_id=execution_id))
    assert [(d.attempt, d.status_code, d.delivered) for d in deliveries] == [
        (1, 500, False),
        (2, 503, False),
        (3, 200, True),
    ]
    last = receiver.requests[-1]
    assert _verify(
        last["headers"]["X-Sluice-Signature"], last["body"], settings.SLUICE_WEBHOOK_SECRET
    )
    payload = json.loads(last["body"])
    assert payload["execution"]["id"] == execution_id
    assert payload["execution"]["status"] == "completed"


def test_webhook_to_a_private_address_is_refused_by_default(
    api: Any, published_flow: Any, run_worker: Any, receiver: Any
) -> None:
    published_flow()
    body = {"input": {"amount": 5}, "callback_url": receiver.url + "/hook"}
    execution_id = start(api, "loan-quote", body).json()["id"]
    run_worker()
    from runtime.models import WebhookDelivery

    first = WebhookDelivery.objects.filter(execution_id=execution_id).first()
    assert first is not None and not first.delivered
    assert "non-public" in first.error
    assert receiver.requests == []


def test_an_execution_past_its_flow_deadline_ends_as_timeout(
    api: Any, published_flow: Any, run_worker: Any
) -> None:
    published_flow(slow_flow(), timeout_s=0.2)
    doc = start(api, "slow", {"input": {}}).json()
    run_worker()
    done = api.get(f"/api/executions/{doc['id']}").json()
    assert done["status"] == "timeout"
    assert done["error"]["type"] == "timeout"
    assert done["error"]["node"] == "wait"


def test_the_reconciler_times_out_overdue_executions(api: Any, published_flow: Any) -> None:
    from datetime import timedelta

    from django.utils import timezone

    from runtime.models import Execution
    from runtime.reconciler import reconcile_once

    published_flow(slow_flow(), timeout_s=60)
    doc = start(api, "slow", {"input": {}}).json()
    Execution.objects.filter(pk=doc["id"]).update(deadline_at=timezone.now() - timedelta(seconds=1))
    assert reconcile_once()["timed_out"] == 1
    done = api.get(f"/api/executions/{doc['id']}").json()
    assert done["status"] == "timeout"
    assert api.post(f"/api/executions/{doc['id']}/cancel").status_code == 409
