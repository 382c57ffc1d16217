"""The OpenAPI schema, its docs page, and the management command that issues tokens."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_openapi_schema_lists_the_spec_paths(client: Any) -> None:
    schema = client.get("/api/schema/").json()
    paths = set(schema["paths"])
    for path in [
        "/api/node-types",
        "/api/flows",
        "/api/flows/{key}",
        "/api/flows/{key}/publish",
        "/api/flows/{key}/executions",
        "/api/executions/{execution_id}",
        "/api/executions/{execution_id}/steps",
        "/api/executions/{execution_id}/cancel",
        "/api/executions/{execution_id}/retry",
    ]:
        assert path in paths, path


def test_docs_page_is_served(api: Any) -> None:
    response = api.get("/api/docs")
    assert response.status_code == 200
    assert b"/api/schema/" in response.content


def test_issue_token_command_prints_a_working_token(client: Any, user: Any) -> None:
    out = io.StringIO()
    call_command("issue_token", "alice", "--name", "ci", stdout=out)
    token = out.getvalue().strip()
    assert token.startswith("sl_")
    response = client.get("/api/flows", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    from designer.models import ApiToken

    assert ApiToken.objects.get(name="ci").digest != token


def test_issue_token_for_an_unknown_user_fails_clearly() -> None:
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="no user"):
        call_command("issue_token", "nobody")
