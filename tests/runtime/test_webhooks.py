"""Webhook delivery owed by the database: nothing is lost when Redis or a worker is, and a
repeated job sends nothing twice."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from django.utils import timezone
from redis.exceptions import ConnectionError as RedisConnectionError

pytestmark = pytest.mark.django_db(transaction=True)


def start_sync(api: Any, callback_url: str) -> Any:
    body = {"input": {"amount": 5}, "callback_url": callback_url}
    return api.post(
        "/api/flows/loan-quote/executions?sync=true",
        json.dumps(body),
        content_type="application/json",
    )


def test_a_webhook_owed_while_redis_was_down_is_sent_by_the_sweep(
    api: Any,
    published_flow: Any,
    run_worker: Any,
    receiver: Any,
    settings: Any,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from runtime import jobs, webhooks
    from runtime.models import WebhookDelivery

    settings.SLUICE_HTTP_ALLOW_PRIVATE = True
    published_flow()

    def redis_is_down() -> Any:
        raise RedisConnectionError("Redis is down")

    with monkeypatch.context() as patch:
        patch.setattr(jobs, "queue", redis_is_down)
        response = start_sync(api, receiver.url + "/hook")
    assert response.status_code == 200  # the caller has its result all the same
    execution_id = response.json()["id"]
    assert run_worker() == 0 and receiver.requests == []
    assert webhooks.sweep(timezone.now()) == 0  # not yet overdue
    assert webhooks.sweep(timezone.now() + timedelta(seconds=60)) == 1
    run_worker()
    assert len(receiver.requests) == 1
    assert json.loads(receiver.requests[0]["body"])["execution"]["id"] == execution_id
    assert list(WebhookDelivery.objects.values_list("attempt", "delivered")) == [(1, True)]
    assert webhooks.sweep(timezone.now() + timedelta(seconds=60)) == 0  # nothing owed now


def test_a_failed_attempt_is_owed_again_only_after_its_backoff(
    api: Any, published_flow: Any, run_worker: Any, receiver: Any, settings: Any
) -> None:
    from runtime import webhooks

    settings.SLUICE_HTTP_ALLOW_PRIVATE = True
    receiver.statuses = [500]
    published_flow()
    start_sync(api, receiver.url + "/hook")
    run_worker()  # attempt 1 fails; attempt 2 waits in RQ's schedule for the backoff (2 s)
    now = timezone.now()
    assert webhooks.sweep(now, grace_s=0) == 0
    assert webhooks.sweep(now + timedelta(seconds=5), grace_s=0) == 1  # that job was lost


def test_a_repeated_delivery_job_sends_nothing(
    api: Any, published_flow: Any, receiver: Any, settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    from runtime import webhooks
    from runtime.models import WebhookDelivery

    settings.SLUICE_HTTP_ALLOW_PRIVATE = True
    published_flow()
    monkeypatch.setattr(webhooks, "schedule", lambda *args, **kwargs: None)
    execution_id = start_sync(api, receiver.url + "/hook").json()["id"]
    assert webhooks.deliver(execution_id, 1) is True
    assert webhooks.deliver(execution_id, 1) is False
    assert len(receiver.requests) == 1
    assert WebhookDelivery.objects.filter(execution_id=execution_id).count() == 1
