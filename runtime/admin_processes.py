"""The process audit: each execution's waits with the transition that ended each (who fired
what, when, with which input), plus every timer and every event received."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from runtime.admin import ExecutionAdmin, pretty_json
from runtime.models import ProcessEvent, Timer, Wait


class ReadOnlyMixin:
    """The audit records facts: nobody adds, edits or deletes them by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class WaitInline(ReadOnlyMixin, admin.TabularInline):
    model = Wait
    extra = 0
    ordering = ["seq"]
    verbose_name = "wait and transition"
    verbose_name_plural = "waits and transitions"
    fields = [
        "seq",
        "node_id",
        "label",
        "assignee",
        "group",
        "entered_at",
        "transition",
        "trigger",
        "fired_by",
        "left_at",
        "pretty_payload",
    ]
    readonly_fields = fields

    @admin.display(description="input")
    def pretty_payload(self, wait: Wait) -> str:
        return pretty_json(wait.payload) if wait.payload else "—"


ExecutionAdmin.inlines = [*ExecutionAdmin.inlines, WaitInline]


@admin.register(Timer)
class TimerAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["id", "execution", "state", "transition", "due_at", "status", "closed_at"]
    list_filter = ["status", "due_at"]
    search_fields = ["id", "wait__execution__id", "wait__execution__business_key"]
    list_select_related = ["wait"]

    @admin.display(description="execution")
    def execution(self, timer: Timer) -> str:
        return str(timer.wait.execution_id)

    @admin.display(description="state")
    def state(self, timer: Timer) -> str:
        return timer.wait.node_id


@admin.register(ProcessEvent)
class ProcessEventAdmin(ReadOnlyMixin, admin.ModelAdmin):
    list_display = ["name", "received_at", "unmatched", "business_key", "execution_ref", "sent_by"]
    list_filter = ["unmatched", "name", "received_at"]
    search_fields = ["name", "business_key", "execution_ref"]
    fields = [
        "name",
        "received_at",
        "sent_by",
        "execution_ref",
        "business_key",
        "unmatched",
        "delivered",
        "pretty_payload",
    ]
    readonly_fields = fields

    @admin.display(description="payload")
    def pretty_payload(self, event: ProcessEvent) -> str:
        return pretty_json(event.payload)
