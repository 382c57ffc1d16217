"""Executions and their steps: the durable record every mode writes and the audit reads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models


class Status(models.TextChoices):
    PENDING = "pending"
    RUNNING = "running"
    WAITING = "waiting"
    COMPLETED = "completed"
    FAILED = "failed"
    CANCELLED = "cancelled"
    TIMEOUT = "timeout"


FINAL_STATUSES = frozenset({Status.COMPLETED, Status.FAILED, Status.CANCELLED, Status.TIMEOUT})
ACTIVE_STATUSES = frozenset({Status.PENDING, Status.RUNNING, Status.WAITING})


class Mode(models.TextChoices):
    SYNC = "sync"
    ASYNC = "async"


class Execution(models.Model):
    """One run of one flow version. `state` is the engine's checkpoint to resume from."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    flow = models.ForeignKey(
        "designer.Flow", null=True, on_delete=models.SET_NULL, related_name="executions"
    )
    flow_key = models.CharField(max_length=64, db_index=True)
    version = models.ForeignKey(
        "designer.FlowVersion", on_delete=models.PROTECT, related_name="executions"
    )
    version_number = models.PositiveIntegerField()
    kind = models.CharField(max_length=16)
    mode = models.CharField(max_length=8, choices=Mode.choices)
    status = models.CharField(
        max_length=16, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    progress = models.PositiveSmallIntegerField(default=0)
    current_node = models.CharField(max_length=64, blank=True, default="")
    input = models.JSONField(default=dict)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    business_key = models.CharField(max_length=200, null=True, blank=True, db_index=True)
    source = models.JSONField(default=dict, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    waiting_for = models.JSONField(default=list, blank=True)
    state = models.JSONField(null=True, blank=True)
    event_seq = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    callback_url = models.URLField(blank=True, default="")
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True, db_index=True)
    deadline_at = models.DateTimeField(null=True, blank=True, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["flow_key", "status", "-created_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["created_by", "flow_key", "idempotency_key"],
                condition=models.Q(idempotency_key__isnull=False),
                name="unique_idempotency_key",
            )
        ]
        permissions = [("audit_execution", "Can see and act on every execution")]

    def __str__(self) -> str:
        return f"{self.flow_key} v{self.version_number} · {self.status} · {self.id}"

    @property
    def is_final(self) -> bool:
        return self.status in FINAL_STATUSES


class Step(models.Model):
    """One node executed inside an execution; (execution, seq) is unique so resumes never
    record a step twice."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="steps")
    seq = models.PositiveIntegerField()
    execution_attempt = models.PositiveIntegerField(default=1)
    node_id = models.CharField(max_length=64)
    node_type = models.CharField(max_length=32)
    attempt = models.PositiveIntegerField(default=1)
    status = models.CharField(max_length=16)
    input = models.JSONField(null=True, blank=True)
    output = models.JSONField(null=True, blank=True)
    error = models.JSONField(null=True, blank=True)
    logs = models.JSONField(default=list, blank=True)
    edge_id = models.CharField(max_length=64, blank=True, default="")
    started_at = models.DateTimeField()
    duration_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["execution", "seq"]
        constraints = [models.UniqueConstraint(fields=["execution", "seq"], name="unique_step_seq")]

    def __str__(self) -> str:
        return f"#{self.seq} {self.node_id} ({self.status})"


class WebhookDelivery(models.Model):
    """One attempt to POST a finished execution to its callback URL."""

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="deliveries")
    url = models.URLField()
    attempt = models.PositiveIntegerField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.TextField(blank=True, default="")
    delivered = models.BooleanField(default=False)
    duration_ms = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["execution", "attempt"]

    def __str__(self) -> str:
        return f"{self.url} #{self.attempt} ({self.status_code or self.error[:40]})"
