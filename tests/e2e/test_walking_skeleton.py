"""Issue 2 end to end in Chromium: design → publish → screen → blocking and non-blocking buttons
→ audit, against daphne and a real RQ worker on a real Redis."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import make_flow

pytestmark = pytest.mark.django_db(transaction=True)

GREETING_DRAFT = {
    "key": "greeting",
    "name": "Greeting",
    "kind": "micro",
    "description": "Says hello.",
    "parameters": [{"name": "name", "type": "string", "required": True}],
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 40, "y": 160}},
            {
                "id": "end",
                "type": "end",
                "position": {"x": 640, "y": 160},
                "config": {"output": {"message": "message"}},
            },
        ],
        "edges": [],
    },
}


def connect(page: Any, source: str, target: str) -> None:
    """Drag from the source node's output handle to the target node's input handle."""
    out_handle = page.locator(f"[data-testid='node-{source}'] .react-flow__handle.source").first
    in_handle = page.locator(f"[data-testid='node-{target}'] .react-flow__handle.target").first
    a, b = out_handle.bounding_box(), in_handle.bounding_box()
    page.mouse.move(a["x"] + a["width"] / 2, a["y"] + a["height"] / 2)
    page.mouse.down()
    page.mouse.move(b["x"] + b["width"] / 2, b["y"] + b["height"] / 2, steps=12)
    page.mouse.up()


def test_design_publish_press_both_buttons_and_audit(
    login: Any, sluice_server: Any, admin_user: Any, screenshot: Any
) -> None:
    make_flow(GREETING_DRAFT, admin_user)
    page = login("root", "pw-root")

    # 2. The designer: list, canvas, palette drag, connect, properties, save, publish.
    expect(page.get_by_test_id("flow-row-greeting")).to_be_visible()
    page.get_by_test_id("flow-row-greeting").get_by_role("link").first.click()
    canvas = page.get_by_test_id("canvas")
    expect(page.get_by_test_id("node-start")).to_be_visible()
    page.get_by_test_id("palette-item-assign").drag_to(canvas, target_position={"x": 420, "y": 300})
    new_node = page.locator("[data-testid^='node-assign']").first
    expect(new_node).to_be_visible()
    assign_id = new_node.get_attribute("data-testid").removeprefix("node-")
    connect(page, "start", assign_id)
    connect(page, assign_id, "end")
    expect(page.locator(".react-flow__edge")).to_have_count(2)

    new_node.click()
    properties = page.get_by_test_id("properties")
    if not properties.get_by_test_id("prop-assignments.0.variable").count():
        properties.get_by_test_id("prop-assignments-add").click()
    properties.get_by_test_id("prop-assignments.0.variable").fill("message")
    properties.get_by_test_id("prop-assignments.0.expression").fill("'Hello, ' + name")
    page.get_by_test_id("save").click()
    expect(page.get_by_test_id("save-status")).to_have_text(re.compile("Saved"))
    screenshot(page, "skeleton-designer")

    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-note").fill("first version")
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("version-badge")).to_contain_text("v1")

    # 3. The generated screen: a blocking button, then a non-blocking one.
    page.goto(f"{sluice_server.url}/screens/greeting/")
    page.get_by_test_id("field-name").fill("Ada")
    page.evaluate(
        """() => {
            window.__overlaySeen = false;
            const overlay = document.getElementById('blocking-overlay');
            new MutationObserver(() => { if (!overlay.hidden) window.__overlaySeen = true; })
              .observe(overlay, {attributes: true});
        }"""
    )
    with page.expect_response(re.compile(r"/executions\?sync=true")) as blocking:
        page.get_by_test_id("button-run").click()
    assert blocking.value.status == 200
    expect(page.get_by_test_id("output-message")).to_have_text("Hello, Ada")
    expect(page.get_by_test_id("blocking-overlay")).to_be_hidden()
    assert page.evaluate("window.__overlaySeen") is True

    page.get_by_test_id("field-name").fill("Grace")
    with page.expect_response(re.compile(r"/executions$")) as background:
        page.get_by_test_id("button-run_async").click()
    assert background.value.status == 202
    run = page.locator("#runs li").first
    expect(page.get_by_test_id("field-name")).to_be_editable()
    expect(run).to_have_attribute("data-status", "completed", timeout=20_000)
    expect(run.get_by_test_id("output-message")).to_have_text("Hello, Grace")
    screenshot(page, "skeleton-screen")

    # 4. The audit: both executions, their mode, status, source, output and steps.
    page.goto(f"{sluice_server.url}/admin/runtime/execution/")
    rows = page.locator("#result_list tbody tr")
    expect(rows).to_have_count(2)
    expect(rows.filter(has_text="sync").filter(has_text="completed")).to_have_count(2)
    expect(page.locator("#result_list")).to_contain_text("screen greeting · run_async")
    expect(page.locator("#result_list")).to_contain_text("screen greeting · run")
    rows.filter(has_text="run_async").locator("th a").click()
    expect(page.locator("div.form-row.field-pretty_output")).to_contain_text("Hello, Grace")
    expect(page.locator("div.fieldBox.field-mode")).to_contain_text("Async")
    steps = page.locator("#steps-group tbody tr.has_original")
    expect(steps).to_have_count(3)
    expect(steps.nth(1)).to_contain_text(assign_id)
    diagram = page.locator("svg.sluice-diagram")
    expect(diagram.locator("g.node.completed")).to_have_count(3)
    expect(diagram.locator("path.taken")).to_have_count(2)
    diagram.scroll_into_view_if_needed()
    screenshot(page, "skeleton-admin")
