"""Django's middleware run on the event loop (designer/loop_middleware.py), driven in async
mode: static files, a session saved at login, CSRF on a form post, JSON errors."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import pytest
from django.test import AsyncClient

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_stack_runs_in_async_mode() -> None:
    from django.core.handlers.asgi import ASGIHandler
    from django.utils.deprecation import MiddlewareMixin

    from designer.loop_middleware import _OnTheLoop

    chain, stack = ASGIHandler()._middleware_chain, []
    while chain is not None:
        target = getattr(chain, "__wrapped__", chain)
        stack.append(target)
        chain = getattr(target, "get_response", None)
    kinds = [type(target).__name__ for target in stack]
    # none was adapted to sync (that wraps the rest in a thread hop each way) ...
    assert "function" not in kinds[:1] and "AsyncToSync" not in kinds, kinds
    # ... and none of Django's hands its hooks to a thread (MiddlewareMixin's async mode does)
    mixins = [t for t in stack if isinstance(t, MiddlewareMixin)]
    assert len(mixins) >= 7 and all(isinstance(t, _OnTheLoop) for t in mixins), kinds


def test_a_static_file_is_served() -> None:
    async def fetch() -> bytes:
        response = await AsyncClient().get("/static/screens/screen.js")
        assert response.status_code == 200
        return b"".join(response.streaming_content)  # a file, read by the server in a thread

    assert b"execution.snapshot" in asyncio.run(fetch())


def test_api_errors_stay_json() -> None:
    response = asyncio.run(AsyncClient().get("/api/no-such-endpoint"))
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_a_login_saves_the_session_and_a_forged_form_is_refused(admin_user: Any) -> None:
    async def scenario() -> tuple[int, int, int]:
        client = AsyncClient(enforce_csrf_checks=True)
        page = await client.get("/admin/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode())
        form = {"username": "root", "password": "pw-root", "csrfmiddlewaretoken": token.group(1)}
        forged = await client.post("/admin/login/", {**form, "csrfmiddlewaretoken": "x" * 64})
        login = await client.post("/admin/login/?next=/designer/", form)
        designer = await client.get("/designer/")
        return forged.status_code, login.status_code, designer.status_code

    assert asyncio.run(scenario()) == (403, 302, 200)
