from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from designer.models import ApiToken, Flow, FlowVersion, Screen


class FlowVersionInline(admin.TabularInline):
    model = FlowVersion
    extra = 0
    can_delete = False
    fields = ["number", "note", "published_by", "published_at"]
    readonly_fields = fields

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Flow)
class FlowAdmin(admin.ModelAdmin):
    list_display = ["key", "name", "kind", "revision", "published_revision", "updated_at"]
    list_filter = ["kind"]
    search_fields = ["key", "name"]
    inlines = [FlowVersionInline]


@admin.register(FlowVersion)
class FlowVersionAdmin(admin.ModelAdmin):
    list_display = ["flow", "number", "note", "published_by", "published_at"]
    list_filter = ["flow"]
    readonly_fields = ["flow", "number", "document", "note", "published_by", "published_at"]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False


@admin.register(Screen)
class ScreenAdmin(admin.ModelAdmin):
    list_display = ["key", "title", "flow"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "prefix", "user", "created_at", "last_used_at"]
    readonly_fields = ["digest", "prefix", "created_at", "last_used_at"]
