"""Flows as people design them: the editable draft, its published versions and its screens."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models

KEY_VALIDATOR = RegexValidator(r"^[a-z0-9][a-z0-9_-]{0,63}$", "lowercase letters, digits, - and _")


class FlowKind(models.TextChoices):
    MICRO = "micro", "Microflow"
    PROCESS = "process", "Process flow"


class Flow(models.Model):
    """A flow's draft. The row is the draft; `revision` guards concurrent saves."""

    key = models.SlugField(max_length=64, unique=True, validators=[KEY_VALIDATOR])
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=16, choices=FlowKind.choices, default=FlowKind.MICRO)
    description = models.TextField(blank=True, default="")
    parameters = models.JSONField(default=list, blank=True)
    graph = models.JSONField(default=dict, blank=True)
    revision = models.PositiveIntegerField(default=1)
    published_revision = models.PositiveIntegerField(null=True, blank=True)
    timeout_s = models.FloatField(
        null=True, blank=True, help_text="executions past this many seconds end as timeout"
    )
    business_key_unique = models.BooleanField(default=False)
    callback_url = models.URLField(blank=True, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.name} ({self.key})"

    @property
    def has_unpublished_changes(self) -> bool:
        return self.published_revision != self.revision

    def document(self) -> dict[str, Any]:
        """The flow document of SPEC §2, as the engine and the export read it."""
        document: dict[str, Any] = {
            "key": self.key,
            "name": self.name,
            "kind": self.kind,
            "description": self.description,
            "parameters": self.parameters,
            "graph": self.graph,
        }
        if self.timeout_s:
            document["timeout_s"] = self.timeout_s
        return document


class FlowVersion(models.Model):
    """An immutable published snapshot; executions pin the one they started on."""

    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    note = models.CharField(max_length=500, blank=True, default="")
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    published_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["flow", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["flow", "number"], name="unique_flow_version_number")
        ]

    def __str__(self) -> str:
        return f"{self.flow.key} v{self.number}"


class Screen(models.Model):
    """A generated form: one field per flow parameter, plus process buttons."""

    key = models.SlugField(max_length=64, unique=True, validators=[KEY_VALIDATOR])
    title = models.CharField(max_length=200)
    flow = models.ForeignKey(Flow, on_delete=models.CASCADE, related_name="screens")
    fields = models.JSONField(default=list, blank=True)
    buttons = models.JSONField(default=list, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return self.title


class ApiToken(models.Model):
    """A bearer token for API clients; only its SHA-256 digest is stored."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
