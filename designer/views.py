"""Pages: the designer app shell and the generated screens. Thin: data comes from the API."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.csrf import ensure_csrf_cookie

from designer.models import Flow, Screen


async def bare_json(request: HttpRequest) -> JsonResponse:
    """Exists as the API benchmark's baseline: Django's own cost, with no auth, ORM or engine.
    Async like the execution endpoints, so it crosses the same middleware the same way."""
    return JsonResponse({"ok": True})


def home(request: HttpRequest) -> HttpResponse:
    return redirect("designer-list")


@login_required
@ensure_csrf_cookie
def designer_list(request: HttpRequest) -> HttpResponse:
    return render(request, "designer/app.html", {"page": "list", "flow_key": ""})


@login_required
@ensure_csrf_cookie
def designer_editor(request: HttpRequest, key: str) -> HttpResponse:
    flow = get_object_or_404(Flow, key=key)
    return render(request, "designer/app.html", {"page": "editor", "flow_key": flow.key})


@login_required
def screen_list(request: HttpRequest) -> HttpResponse:
    screens = Screen.objects.select_related("flow")
    return render(request, "screens/list.html", {"screens": screens})


@login_required
@ensure_csrf_cookie
def screen_page(request: HttpRequest, key: str) -> HttpResponse:
    screen = get_object_or_404(Screen.objects.select_related("flow"), key=key)
    config = {"key": screen.key, "title": screen.title, "buttons": screen.buttons}
    return render(
        request,
        "screens/screen.html",
        {"screen": screen, "fields": screen.fields, "config": config},
    )
