"""Callbacks to `callback_url` when an execution finishes: signed, retried, recorded.

Delivery goes through the engine's HTTP client, so the same private-address guard applies.
The signature is Stripe-style: `X-Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>">`, so receivers can reject replays by the timestamp.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
import uuid
from datetime import timedelta

import django_rq
from django.conf import settings

from runtime.documents import execution_document
from runtime.engine import httpcall
from runtime.engine.errors import NodeFailure
from runtime.models import Execution, WebhookDelivery

MAX_ATTEMPTS = 6
BASE_BACKOFF_S = 2.0
MAX_BACKOFF_S = 600.0


def sign(body: bytes, timestamp: int, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff_s(attempt: int) -> float:
    base = getattr(settings, "SLUICE_WEBHOOK_BACKOFF_S", BASE_BACKOFF_S)
    return min(MAX_BACKOFF_S, base * 2 ** (attempt - 1))


def schedule(execution_id: uuid.UUID, attempt: int = 1, delay_s: float = 0.0) -> None:
    queue = django_rq.get_queue("default")
    if delay_s <= 0:
        queue.enqueue(deliver, str(execution_id), attempt, result_ttl=0)
    else:
        queue.enqueue_in(timedelta(seconds=delay_s), deliver, str(execution_id), attempt)


def deliver(execution_id: str, attempt: int = 1) -> bool:
    """POST the execution document once; on failure schedule the next attempt with backoff."""
    execution = Execution.objects.get(pk=execution_id)
    body = json.dumps({"type": "execution.finished", "execution": execution_document(execution)})
    payload = body.encode()
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "Sluice-Webhook/1",
        "X-Sluice-Signature": sign(payload, int(time.time()), settings.SLUICE_WEBHOOK_SECRET),
        "X-Sluice-Delivery": f"{execution.pk}:{attempt}",
    }
    record = WebhookDelivery(execution=execution, url=execution.callback_url, attempt=attempt)
    started = time.perf_counter()
    try:
        response = httpcall.send(
            httpcall.Request(
                method="POST",
                url=execution.callback_url,
                headers=headers,
                body=payload,
                timeout_s=10.0,
                allow_private=settings.SLUICE_HTTP_ALLOW_PRIVATE,
                max_bytes=65_536,
            )
        )
        record.status_code = response["status"]
        record.delivered = 200 <= response["status"] < 300
        if not record.delivered:
            record.error = f"HTTP {response['status']}"
    except NodeFailure as exc:
        record.error = exc.message[:2000]
    record.duration_ms = (time.perf_counter() - started) * 1000
    record.save()
    if not record.delivered and attempt < MAX_ATTEMPTS:
        schedule(execution.pk, attempt + 1, backoff_s(attempt))
    return record.delivered
