"""The designer API: node types, drafts with revisions, validation, publishing, JSON errors."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.factories import LOAN_QUOTE, linear_flow

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any = None, **extra: Any) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json", **extra)


def put(client: Any, url: str, body: Any) -> Any:
    return client.put(url, json.dumps(body), content_type="application/json")


def test_node_types_come_from_the_registry(api: Any) -> None:
    body = api.get("/api/node-types").json()
    types = {t["type"]: t for t in body["node_types"]}
    assert {"start", "end", "assign", "decision"} <= set(types)
    assert types["assign"]["config_schema"]["type"] == "object"
    assert "micro" in types["assign"]["kinds"]
    assert "edge_schema" in body


def test_create_read_and_list(api: Any) -> None:
    response = post(api, "/api/flows", LOAN_QUOTE)
    assert response.status_code == 201
    assert response.json()["revision"] == 1
    assert api.get("/api/flows/loan-quote").json()["graph"] == LOAN_QUOTE["graph"]
    listed = api.get("/api/flows").json()
    assert [f["key"] for f in listed["items"]] == ["loan-quote"]
    assert listed["items"][0]["has_unpublished_changes"] is True


def test_duplicate_key_is_a_409_json_error(api: Any) -> None:
    post(api, "/api/flows", LOAN_QUOTE)
    response = post(api, "/api/flows", LOAN_QUOTE)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "flow_exists"


@pytest.mark.parametrize(
    "change", [{"key": "Bad Key!"}, {"kind": "sideways"}, {"name": ""}, {"graph": "nope"}]
)
def test_bad_documents_are_400_json_not_500(api: Any, change: dict[str, Any]) -> None:
    response = post(api, "/api/flows", {**LOAN_QUOTE, **change})
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json; charset=utf-8"
    assert response.json()["error"]["code"] == "invalid_request"


def test_malformed_json_body_is_a_json_error(api: Any) -> None:
    response = api.post("/api/flows", "{not json", content_type="application/json")
    assert response.status_code == 400
    assert "error" in response.json()


def test_missing_flow_is_404_json(api: Any) -> None:
    response = api.get("/api/flows/nope")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"


def test_stale_revision_is_409_and_loses_nothing(api: Any) -> None:
    post(api, "/api/flows", LOAN_QUOTE)
    first = {**LOAN_QUOTE, "revision": 1, "name": "First tab"}
    second = {**LOAN_QUOTE, "revision": 1, "name": "Second tab"}
    assert put(api, "/api/flows/loan-quote", first).json()["revision"] == 2
    response = put(api, "/api/flows/loan-quote", second)
    assert response.status_code == 409
    assert response.json()["error"]["details"] == {"current_revision": 2}
    assert api.get("/api/flows/loan-quote").json()["name"] == "First tab"


def test_validate_reports_problems_with_their_nodes(api: Any) -> None:
    document = copy.deepcopy(LOAN_QUOTE)
    document["graph"]["edges"] = [e for e in document["graph"]["edges"] if e["id"] != "e4"]
    document["graph"]["nodes"][1]["config"]["assignments"][0]["expression"] = "amount *"
    post(api, "/api/flows", document)
    body = post(api, "/api/flows/loan-quote/validate").json()
    assert body["valid"] is False
    nodes = {e["node"] for e in body["errors"]}
    assert {"calc", "check"} <= nodes


def test_publish_creates_versions_and_a_screen(api: Any) -> None:
    from designer.models import Screen

    post(api, "/api/flows", LOAN_QUOTE)
    response = post(api, "/api/flows/loan-quote/publish", {"note": "first"})
    assert response.status_code == 201
    assert response.json()["version"] == 1
    assert post(api, "/api/flows/loan-quote/publish", {"note": "again"}).json()["version"] == 2
    versions = api.get("/api/flows/loan-quote/versions").json()["items"]
    assert [v["version"] for v in versions] == [2, 1]
    assert versions[0]["published_by"] == "alice"
    screen = Screen.objects.get(key="loan-quote")
    assert [f["name"] for f in screen.fields] == ["amount", "customer"]
    assert {b["blocking"] for b in screen.buttons} == {True, False}
    assert api.get("/api/flows/loan-quote").json()["has_unpublished_changes"] is False


def test_publishing_an_invalid_flow_is_refused_with_the_problems(api: Any) -> None:
    post(api, "/api/flows", linear_flow("broken", [{"id": "x", "type": "no-such-type"}]))
    response = post(api, "/api/flows/broken/publish")
    assert response.status_code == 400
    errors = response.json()["error"]["details"]["errors"]
    assert any(e["node"] == "x" for e in errors)


def test_expression_check(api: Any) -> None:
    assert post(api, "/api/expressions/check", {"expression": "a + 1"}).json()["valid"] is True
    bad = post(api, "/api/expressions/check", {"expression": "a +"}).json()
    assert bad["valid"] is False
    assert bad["error"]["message"]


def test_anonymous_requests_are_401_json(client: Any) -> None:
    response = client.get("/api/flows")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "unauthenticated"


def test_session_writes_need_csrf(user: Any) -> None:
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(user)
    response = post(browser, "/api/flows", LOAN_QUOTE)
    assert response.status_code == 403
    assert response.json()["error"]["code"] == "csrf_failed"


def test_bearer_token(client: Any, user: Any) -> None:
    from designer.api.auth import issue_token

    token = issue_token(user, "ci")
    response = client.get("/api/flows", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200
    assert client.get("/api/flows", HTTP_AUTHORIZATION="Bearer nope").status_code == 401


def test_unknown_api_urls_and_methods_answer_json(api: Any) -> None:
    missing = api.get("/api/no/such/thing")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    wrong = api.patch("/api/flows", "{}", content_type="application/json")
    assert wrong.status_code == 405
    assert wrong.json()["error"]["code"] == "method_not_allowed"
