"""The audit: every execution with its steps, read-only, with retry and cancel actions."""

from __future__ import annotations

import json
from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.html import format_html
from django.utils.safestring import mark_safe

from runtime import executions, journal
from runtime.diagram import render_svg
from runtime.models import Execution, Step, WebhookDelivery


def pretty_json(value: Any) -> str:
    return format_html("<pre style='margin:0'>{}</pre>", json.dumps(value, indent=2, default=str))


class SourceFilter(admin.SimpleListFilter):
    """Filter by what started the execution (api, screen, call, designer…)."""

    title = "source"
    parameter_name = "source"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        return [("api", "API"), ("screen", "Screen"), ("designer", "Designer"), ("call", "Call")]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Execution]) -> QuerySet[Execution]:
        if self.value():
            return queryset.filter(source__type=self.value())
        return queryset


class StepInline(admin.TabularInline):
    model = Step
    extra = 0
    can_delete = False
    ordering = ["seq"]
    fields = [
        "seq",
        "execution_attempt",
        "node_id",
        "node_type",
        "attempt",
        "status",
        "duration_ms",
        "pretty_input",
        "pretty_output",
        "pretty_error",
    ]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="input")
    def pretty_input(self, step: Step) -> str:
        return pretty_json(step.input)

    @admin.display(description="output")
    def pretty_output(self, step: Step) -> str:
        return pretty_json(step.output)

    @admin.display(description="error")
    def pretty_error(self, step: Step) -> str:
        return pretty_json(step.error) if step.error else "—"


class WebhookDeliveryInline(admin.TabularInline):
    model = WebhookDelivery
    extra = 0
    can_delete = False
    fields = ["attempt", "url", "status_code", "delivered", "error", "duration_ms", "created_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Execution)
class ExecutionAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "flow_key",
        "version_number",
        "mode",
        "status",
        "progress",
        "source_label",
        "business_key",
        "created_by",
        "created_at",
        "duration_ms",
    ]
    list_filter = ["flow_key", "status", "mode", "kind", SourceFilter, "created_at"]
    search_fields = ["id", "business_key"]
    date_hierarchy = "created_at"
    inlines = [StepInline, WebhookDeliveryInline]
    actions = ["cancel_executions", "retry_executions"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "id",
                    ("flow_key", "version_number", "kind"),
                    ("mode", "status", "progress"),
                    ("source_label", "business_key", "attempt"),
                    "current_node",
                    "created_by",
                ]
            },
        ),
        ("Path taken", {"fields": ["diagram"]}),
        ("Data", {"fields": ["pretty_input", "pretty_output", "pretty_error", "waiting_for"]}),
        (
            "Timing",
            {"fields": [("created_at", "started_at", "finished_at"), "duration_ms", "parent"]},
        ),
    ]
    readonly_fields = [
        "id",
        "flow_key",
        "version_number",
        "kind",
        "mode",
        "status",
        "progress",
        "current_node",
        "source_label",
        "business_key",
        "attempt",
        "created_by",
        "created_at",
        "started_at",
        "finished_at",
        "duration_ms",
        "pretty_input",
        "pretty_output",
        "pretty_error",
        "waiting_for",
        "parent",
        "diagram",
    ]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.display(description="source")
    def source_label(self, execution: Execution) -> str:
        source = execution.source or {}
        if source.get("type") == "screen":
            return f"screen {source.get('screen')} · {source.get('button')}"
        return source.get("type", "")

    def get_object(self, request: HttpRequest, object_id: str, from_field: Any = None) -> Any:
        """Steps a pure run kept in its journal are filed before the audit shows them."""
        execution = super().get_object(request, object_id, from_field)
        if execution is not None and execution.journal is not None:
            journal.file_one(execution.pk)
            execution.refresh_from_db()
        return execution

    @admin.display(description="input")
    def pretty_input(self, execution: Execution) -> str:
        return pretty_json(execution.input)

    @admin.display(description="path taken")
    def diagram(self, execution: Execution) -> str:
        """The flow's diagram with the nodes this execution ran, their times, the edges taken."""
        steps = list(
            execution.steps.order_by("seq").values("node_id", "status", "duration_ms", "edge_id")
        )
        svg = render_svg(execution.version.document, steps)
        return format_html(
            '<div class="sluice-diagram-wrap" style="overflow:auto;max-width:100%">{}</div>',
            mark_safe(svg),
        )

    @admin.display(description="output")
    def pretty_output(self, execution: Execution) -> str:
        return pretty_json(execution.output)

    @admin.display(description="error")
    def pretty_error(self, execution: Execution) -> str:
        return pretty_json(execution.error) if execution.error else "—"

    @admin.action(description="Cancel selected executions")
    def cancel_executions(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        done = sum(executions.cancel(e) for e in queryset)
        self.message_user(request, f"Cancelled {done} of {queryset.count()}.", messages.INFO)

    @admin.action(description="Retry selected failed or timed-out executions")
    def retry_executions(self, request: HttpRequest, queryset: QuerySet[Execution]) -> None:
        done = sum(executions.retry(e) for e in queryset)
        self.message_user(request, f"Retrying {done} of {queryset.count()}.", messages.INFO)


from runtime import admin_processes  # noqa: E402, F401 - registers the process audit
