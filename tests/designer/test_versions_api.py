"""Version history over the API: structural diff, restore into the draft, export and import."""

from __future__ import annotations

import copy
import json
from typing import Any

import pytest

from tests.factories import LOAN_QUOTE

pytestmark = pytest.mark.django_db


def post(client: Any, url: str, body: Any = None) -> Any:
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def save(client: Any, document: dict[str, Any]) -> dict[str, Any]:
    current = client.get(f"/api/flows/{document['key']}").json()
    body = {**document, "revision": current["revision"]}
    response = client.put(
        f"/api/flows/{document['key']}", json.dumps(body), content_type="application/json"
    )
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def two_versions(api: Any) -> dict[str, Any]:
    post(api, "/api/flows", LOAN_QUOTE)
    post(api, "/api/flows/loan-quote/publish", {"note": "v1"})
    changed = copy.deepcopy(LOAN_QUOTE)
    graph = changed["graph"]
    graph["nodes"][1]["config"]["assignments"][0]["expression"] = "amount * 1.10"
    graph["nodes"][0]["position"] = {"x": 99, "y": 99}
    graph["nodes"] = [n for n in graph["nodes"] if n["id"] != "no"]
    graph["nodes"].append({"id": "log", "type": "log", "config": {"message": "'declined'"}})
    graph["nodes"].append({"id": "no", "type": "end", "config": {"output": {}}})
    graph["edges"][3]["target"] = "log"
    graph["edges"].append({"id": "e5", "source": "log", "target": "no"})
    save(api, changed)
    post(api, "/api/flows/loan-quote/publish", {"note": "v2"})
    return changed


def test_structural_diff_between_versions(api: Any, two_versions: Any) -> None:
    diff = api.get("/api/flows/loan-quote/diff?base=1&to=2").json()
    assert diff["nodes"]["added"] == ["log"]
    assert diff["nodes"]["removed"] == []
    assert diff["nodes"]["changed"] == ["calc", "no"]
    assert diff["nodes"]["moved"] == ["start"]
    assert diff["edges"] == {"added": ["e5"], "removed": [], "changed": ["e4"]}
    assert api.get("/api/flows/loan-quote/diff?base=1&to=9").status_code == 404


def test_restore_puts_an_old_version_into_the_draft(api: Any, two_versions: Any) -> None:
    before = api.get("/api/flows/loan-quote").json()
    restored = post(api, "/api/flows/loan-quote/versions/1/restore").json()
    assert restored["revision"] == before["revision"] + 1
    assert restored["graph"] == LOAN_QUOTE["graph"]
    assert restored["has_unpublished_changes"] is True
    assert api.get("/api/flows/loan-quote/diff?base=1&to=draft").json()["nodes"] == {
        "added": [],
        "removed": [],
        "changed": [],
        "moved": [],
    }
    versions = api.get("/api/flows/loan-quote/versions").json()["items"]
    assert [v["version"] for v in versions] == [2, 1]


def test_export_then_import_round_trips(api: Any, two_versions: Any) -> None:
    response = api.get("/api/flows/loan-quote/export")
    assert "attachment" in response["Content-Disposition"]
    exported = response.json()
    assert [v["version"] for v in exported["versions"]] == [1, 2]
    exported["flow"]["key"] = "loan-quote-copy"
    created = post(api, "/api/flows/import", exported)
    assert created.status_code == 201
    assert created.json()["graph"] == two_versions["graph"]
    assert post(api, "/api/flows/import", exported).status_code == 409
    bad = post(api, "/api/flows/import", {"hello": "world"})
    assert bad.status_code == 400
    assert bad.json()["error"]["code"] == "invalid_document"
