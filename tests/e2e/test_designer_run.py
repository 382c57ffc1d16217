"""Test runs from the designer in Chromium, against daphne and a real RQ worker: a sync run
and an async one (followed over the websocket) light up the nodes they went through, and a
node's step shows its input and output."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import LOAN_QUOTE

pytestmark = pytest.mark.django_db(transaction=True)


def slow_quote() -> dict[str, Any]:
    """The loan quote with a one-second delay after the calculation, to watch it run."""
    doc = copy.deepcopy(LOAN_QUOTE)
    at = {"start": (0, 120), "calc": (256, 120), "check": (768, 120), "ok": (1120, 16)}
    at["no"] = (1120, 224)
    for node in doc["graph"]["nodes"]:
        node["position"] = dict(zip(("x", "y"), at[node["id"]], strict=True))
    doc["graph"]["nodes"].append(
        {"id": "pause", "type": "delay", "position": {"x": 512, "y": 120}, "config": {"seconds": 1}}
    )
    doc["graph"]["edges"] = [
        {"id": "e1", "source": "start", "target": "calc"},
        {"id": "e2", "source": "calc", "target": "pause"},
        {"id": "e5", "source": "pause", "target": "check"},
        *doc["graph"]["edges"][2:],
    ]
    return doc


def test_sync_and_async_runs_light_up_the_canvas(
    login: Any, sluice_server: Any, admin_user: Any, published_flow: Any, screenshot: Any
) -> None:
    published_flow(slow_quote())
    page = login("root", "pw-root")
    page.goto(f"{sluice_server.url}/designer/flows/loan-quote/")
    page.get_by_test_id("palette-toggle").click()  # the canvas gets the palette's width
    page.get_by_test_id("fit-view").click()
    page.get_by_test_id("tab-run").click()
    expect(page.get_by_test_id("run-panel")).to_contain_text("Runs the published v1")

    # Sync: the answer comes back with the request; the path taken is lit.
    page.get_by_test_id("run-input-amount").fill("500")
    page.get_by_test_id("run-sync").click()
    status = page.get_by_test_id("run-status")
    expect(status).to_have_attribute("data-status", "completed")
    expect(page.get_by_test_id("run-output")).to_contain_text('"approved": true')
    for node in ("start", "calc", "pause", "check", "ok"):
        expect(page.get_by_test_id(f"node-run-{node}")).to_contain_text("Done")
    expect(page.get_by_test_id("node-ok")).to_have_attribute("data-run", "completed")
    expect(page.get_by_test_id("node-run-no")).to_have_count(0)
    expect(page.get_by_test_id("run-steps").locator("li")).to_have_count(5)
    screenshot(page, "designer-run-finished")

    # Clicking a node shows its step: what it got and what it produced.
    page.get_by_test_id("node-calc").click()
    detail = page.get_by_test_id("step-detail")
    expect(detail).to_contain_text("calc")
    expect(detail.get_by_test_id("step-output")).to_contain_text('"total": 525')
    page.get_by_test_id("node-pause").click()
    expect(detail).to_contain_text("pause")
    expect(detail.get_by_test_id("step-input")).to_contain_text('"seconds": 1')

    # Async: the worker runs it; the websocket pushes each step, nothing is polled.
    execution_gets: list[str] = []
    page.on(
        "request",
        lambda r: (
            execution_gets.append(r.url)
            if re.search(r"/api/executions/[0-9a-f-]+$", r.url)
            else None
        ),
    )
    page.get_by_test_id("run-input-amount").fill("2000")
    with page.expect_response(re.compile(r"/api/flows/loan-quote/executions$")) as started:
        page.get_by_test_id("run-async").click()
    assert started.value.status == 202
    expect(page.get_by_test_id("node-pause")).to_have_attribute("data-run", "running")
    expect(page.get_by_test_id("node-run-pause")).to_contain_text("Running")
    expect(page.get_by_test_id("run-result")).to_contain_text("live")
    screenshot(page, "designer-run-progress")
    expect(status).to_have_attribute("data-status", "completed", timeout=20_000)
    expect(page.get_by_test_id("run-output")).to_contain_text('"approved": false')
    for node in ("start", "calc", "pause", "check", "no"):
        expect(page.get_by_test_id(f"node-{node}")).to_have_attribute("data-run", "completed")
    expect(page.get_by_test_id("node-run-ok")).to_have_count(0)
    expect(page.locator(".react-flow__edge-path.is-taken")).to_have_count(4)
    assert execution_gets == [], "the async run was polled, not followed over the websocket"

    # Both runs are in the history; the first one opens again on the canvas.
    history = page.get_by_test_id("executions").locator("[data-testid^='execution-']")
    expect(history).to_have_count(2)
    history.nth(1).click()
    expect(page.get_by_test_id("node-ok")).to_have_attribute("data-run", "completed")
    expect(page.get_by_test_id("node-run-no")).to_have_count(0)
