"""Callbacks to `callback_url` when an execution finishes: signed, retried, recorded.

Delivery goes through the engine's HTTP client, so the same private-address guard applies.
The signature is Stripe-style: `X-Sluice-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<body>">`, so receivers can reject replays by the timestamp.

The database says what is still owed, not Redis: a finished execution with a callback URL and
no successful delivery is owed its next attempt once the backoff after the last one has passed.
`sweep` (run by the reconciler) schedules those whose job was lost (Redis down when it was due,
a worker killed between the final write and the enqueue, Redis restarted with retries in its
schedule). Delivery is at least once; `X-Sluice-Delivery` (`<execution>:<attempt>`) lets a
receiver drop a repeat, and an attempt already recorded is not sent again.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import time
import uuid
from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Max, Q
from redis.exceptions import RedisError

from runtime import jobs
from runtime.documents import execution_document
from runtime.engine import httpcall
from runtime.engine.errors import NodeFailure
from runtime.models import FINAL_STATUSES, Execution, WebhookDelivery

log = logging.getLogger("sluice.webhooks")

MAX_ATTEMPTS = 6
BASE_BACKOFF_S = 2.0
MAX_BACKOFF_S = 600.0
SWEEP_GRACE_S = 30.0  # how late an attempt may be before the sweep queues it again
SWEEP_WINDOW_S = 86_400.0  # executions finished longer ago are not looked at again


def sign(body: bytes, timestamp: int, secret: str) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={mac}"


def backoff_s(attempt: int) -> float:
    base = getattr(settings, "SLUICE_WEBHOOK_BACKOFF_S", BASE_BACKOFF_S)
    return min(MAX_BACKOFF_S, base * 2 ** (attempt - 1))


def schedule(execution_id: uuid.UUID, attempt: int = 1, delay_s: float = 0.0) -> None:
    """Queue an attempt; if Redis is away, `sweep` queues it once it is back."""
    try:
        if delay_s <= 0:
            jobs.queue().enqueue(deliver, str(execution_id), attempt, result_ttl=jobs.RESULT_TTL_S)
        else:
            jobs.queue().enqueue_in(timedelta(seconds=delay_s), deliver, str(execution_id), attempt)
    except RedisError:
        log.warning("could not schedule webhook %s #%d; the reconciler will", execution_id, attempt)


def sweep(now: datetime, grace_s: float = SWEEP_GRACE_S) -> int:
    """Schedule every attempt that is owed and overdue by `grace_s`; returns how many."""
    recent = now - timedelta(seconds=SWEEP_WINDOW_S)
    owed = (
        Execution.objects.filter(status__in=FINAL_STATUSES, finished_at__gte=recent)
        .exclude(callback_url="")
        .exclude(deliveries__delivered=True)
        .annotate(attempts=Max("deliveries__attempt"), last_at=Max("deliveries__created_at"))
        .values_list("pk", "finished_at", "attempts", "last_at")
    )
    scheduled = 0
    for pk, finished_at, attempts, last_at in owed:
        attempts = attempts or 0
        if attempts >= MAX_ATTEMPTS:
            continue
        due = (last_at + timedelta(seconds=backoff_s(attempts))) if attempts else finished_at
        if due < now - timedelta(seconds=grace_s):
            schedule(pk, attempts + 1)
            scheduled += 1
    return scheduled


def deliver(execution_id: str, attempt: int = 1) -> bool:
    """POST the execution document once; on failure schedule the next attempt with backoff.
    A repeated job (the sweep and a late scheduler both queued it) sends nothing."""
    execution = Execution.objects.get(pk=execution_id)
    done = execution.deliveries.filter(Q(delivered=True) | Q(attempt__gte=attempt))
    if done.exists():
        return False
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
