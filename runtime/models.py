"""Executions and their steps: the durable record every mode writes and the audit reads."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, router

from runtime import fetch


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


class ExecutionQuerySet(models.QuerySet):
    def find(self, pk: uuid.UUID | str) -> Execution | None:
        """The execution with this id, or None. Every poll, job and websocket connect does
        this, so an unfiltered manager takes a prepared statement (`runtime.fetch`)."""
        if self.query.has_filters() or self.db != router.db_for_read(self.model):
            return next(iter(self.filter(pk=pk).order_by()[:1]), None)
        return fetch.by_pk(self.model, pk)


class Execution(models.Model):
    """One run of one flow version. `state` is the engine's checkpoint to resume from."""

    objects = ExecutionQuerySet.as_manager()

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    flow = models.ForeignKey(
        "designer.Flow", null=True, on_delete=models.SET_NULL, related_name="executions"
    )
    flow_key = models.CharField(max_length=64)  # indexed first in (flow_key, status, created_at)
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
    business_key = models.CharField(max_length=200, null=True, blank=True)
    source = models.JSONField(default=dict, blank=True)
    attempt = models.PositiveIntegerField(default=1)
    waiting_for = models.JSONField(default=list, blank=True)
    state = models.JSONField(null=True, blank=True)
    # Steps stored with the run, not yet filed as Step rows (see runtime.journal).
    journal = models.JSONField(null=True, blank=True, editable=False)
    event_seq = models.PositiveIntegerField(default=0)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="children",
        db_index=False,
    )
    callback_url = models.URLField(blank=True, default="")
    idempotency_key = models.CharField(max_length=200, null=True, blank=True)
    request_hash = models.CharField(max_length=64, blank=True, default="")
    lease_expires_at = models.DateTimeField(null=True, blank=True)
    deadline_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    duration_ms = models.FloatField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        # Columns that most rows leave NULL are indexed only where set: a finished sync run,
        # the commonest row, then writes 5 index entries fewer (each a page in the commit).
        indexes = [
            models.Index(fields=["flow_key", "status", "-created_at"]),
            *(
                models.Index(
                    fields=[name],
                    condition=models.Q(**{f"{name}__isnull": False}),
                    name=f"execution_{name}",
                )
                for name in ("business_key", "lease_expires_at", "deadline_at", "parent")
            ),
            # what the journal filer looks for (the id, not the JSON, is what is indexed)
            models.Index(
                fields=["id"], condition=models.Q(journal__isnull=False), name="execution_journal"
            ),
            # the webhook sweep looks only at recently finished executions with a callback
            models.Index(
                fields=["finished_at"],
                condition=~models.Q(callback_url=""),
                name="execution_callback_finished",
            ),
        ]
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

    execution = models.ForeignKey(
        Execution,
        on_delete=models.CASCADE,
        related_name="steps",
        db_index=False,  # unique_step_seq (execution, seq) serves it
    )
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


class Wait(models.Model):
    """One stay of a process in a `state`, and the one transition that ended it.

    `seq` is the state step's seq, so two stays in the same state stay apart; a stay is left
    at most once (`left_at` is set by a compare-and-set), which makes this the transition audit.
    """

    execution = models.ForeignKey(Execution, on_delete=models.CASCADE, related_name="waits")
    seq = models.PositiveIntegerField()
    node_id = models.CharField(max_length=64)
    label = models.CharField(max_length=200, blank=True, default="")
    screen = models.CharField(max_length=100, blank=True, default="")
    assignee = models.CharField(max_length=200, blank=True, default="", db_index=True)
    group = models.CharField(max_length=200, blank=True, default="", db_index=True)
    is_task = models.BooleanField(default=False)
    entered_at = models.DateTimeField()
    left_at = models.DateTimeField(null=True, blank=True)
    transition = models.CharField(max_length=100, blank=True, default="")
    trigger = models.CharField(max_length=16, blank=True, default="")
    payload = models.JSONField(null=True, blank=True)
    fired_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["execution", "seq"]
        verbose_name_plural = "waits and transitions"
        constraints = [models.UniqueConstraint(fields=["execution", "seq"], name="unique_wait_seq")]

    def __str__(self) -> str:
        left = f" → {self.transition}" if self.left_at else ""
        return f"{self.node_id} #{self.seq}{left}"


class TimerStatus(models.TextChoices):
    ARMED = "armed"
    FIRED = "fired"
    DISARMED = "disarmed"


class Timer(models.Model):
    """A scheduled transition of one wait. The row is the truth; the RQ scheduled job (id
    `sluice-timer-<id>`) is only the fast path, and the reconciler fires what Redis lost."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    wait = models.ForeignKey(Wait, on_delete=models.CASCADE, related_name="timers")
    transition = models.CharField(max_length=100)
    due_at = models.DateTimeField()
    status = models.CharField(max_length=16, choices=TimerStatus.choices, default=TimerStatus.ARMED)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at"]
        constraints = [
            models.UniqueConstraint(fields=["wait", "transition"], name="unique_timer_transition")
        ]
        indexes = [
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="armed"),
                name="timer_armed_due",
            )
        ]

    def __str__(self) -> str:
        return f"{self.transition} at {self.due_at:%Y-%m-%d %H:%M:%S} ({self.status})"


class ProcessEvent(models.Model):
    """Every event received, with the executions it moved on; an unmatched one stays here."""

    name = models.CharField(max_length=200, db_index=True)
    execution_ref = models.CharField(max_length=64, blank=True, default="")
    business_key = models.CharField(max_length=200, null=True, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    delivered = models.JSONField(default=list, blank=True)
    unmatched = models.BooleanField(default=False, db_index=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    received_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-received_at"]
        permissions = [("send_event", "Can send events to every waiting process")]

    def __str__(self) -> str:
        return f"{self.name} · {'unmatched' if self.unmatched else len(self.delivered)}"
