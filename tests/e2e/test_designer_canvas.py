"""The designer's canvas in Chromium: drag from the palette, connect (and a refused
connection), properties with as-you-type expression checking, undo/redo, autosave that
survives a reload, auto-layout that keeps a decision's branches in port order, validation
markers with the problems list jumping to the node, the keyboard (palette, shortcuts help,
copy and paste) and labelled controls."""

from __future__ import annotations

import copy
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.e2e.test_walking_skeleton import connect
from tests.factories import LOAN_QUOTE, make_flow

pytestmark = pytest.mark.django_db(transaction=True)

TWO_ENDS = {
    "key": "order-check",
    "name": "Order check",
    "kind": "micro",
    "description": "",
    "parameters": [{"name": "amount", "type": "number", "required": True}],
    "graph": {
        "nodes": [
            {"id": "start", "type": "start", "position": {"x": 0, "y": 160}},
            {"id": "end", "type": "end", "position": {"x": 640, "y": 160}},
        ],
        "edges": [],
    },
}


# The node's centre is within 30 px of the canvas's (once the pan animation has ended).
CENTRED = """testid => {
    const box = (el) => el.getBoundingClientRect();
    const n = box(document.querySelector(`[data-testid="${testid}"]`));
    const c = box(document.querySelector('[data-testid="canvas"]'));
    return Math.abs(n.x + n.width / 2 - (c.x + c.width / 2)) < 30
        && Math.abs(n.y + n.height / 2 - (c.y + c.height / 2)) < 30;
}"""


# The viewport stays put for two frames: a fit or pan animation is over.
SETTLED = """() => new Promise(done => {
    const viewport = document.querySelector('.react-flow__viewport');
    const before = viewport.style.transform;
    const same = () => done(viewport.style.transform === before);
    requestAnimationFrame(() => requestAnimationFrame(same));
})"""


def position(page: Any, node_id: str) -> tuple[float, float]:
    """Where the node is on the canvas (flow coordinates, whatever the zoom)."""
    wrapper = page.locator(f".react-flow__node[data-id='{node_id}']")
    x, y = re.findall(r"-?[\d.]+", wrapper.evaluate("el => el.style.transform"))[:2]
    return float(x), float(y)


def open_editor(page: Any, server: Any, key: str) -> None:
    page.goto(f"{server.url}/designer/flows/{key}/")
    expect(page.get_by_test_id("node-start")).to_be_visible()


def centre(locator: Any) -> tuple[float, float]:
    box = locator.bounding_box()
    return box["x"] + box["width"] / 2, box["y"] + box["height"] / 2


def test_build_connect_edit_undo_and_autosave(
    login: Any, sluice_server: Any, admin_user: Any
) -> None:
    from designer.models import Flow

    make_flow(TWO_ENDS, admin_user)
    page = login("root", "pw-root")
    open_editor(page, sluice_server, "order-check")
    canvas = page.get_by_test_id("canvas")
    edges = page.locator(".react-flow__edge")

    page.get_by_test_id("palette-item-assign").drag_to(canvas, target_position={"x": 380, "y": 260})
    node = page.get_by_test_id("node-assign_1")
    expect(node).to_be_visible()
    connect(page, "start", "assign_1")
    connect(page, "assign_1", "end")
    expect(edges).to_have_count(2)

    # Nothing may lead into Start: dropping a connection on it is refused, with the reason.
    out = node.locator(".react-flow__handle.source").first
    page.mouse.move(*centre(out))
    page.mouse.down()
    page.mouse.move(*centre(page.get_by_test_id("node-start")), steps=12)
    page.mouse.up()
    expect(page.get_by_test_id("toast").last).to_have_text("Nothing can lead into start")
    expect(edges).to_have_count(2)
    expect(page.get_by_test_id("quick-add")).to_have_count(0)

    page.get_by_test_id("undo").click()
    expect(edges).to_have_count(1)
    page.get_by_test_id("redo").click()
    expect(edges).to_have_count(2)

    # Properties: an expression error appears while typing and clears once it is fixed.
    node.click()
    properties = page.get_by_test_id("properties")
    expect(properties.get_by_test_id("prop-id")).to_have_value("assign_1")
    properties.get_by_test_id("prop-assignments-add").click()
    properties.get_by_test_id("prop-assignments.0.variable").fill("total")
    expression = properties.get_by_test_id("prop-assignments.0.expression")
    expression.fill("amount *")
    expect(properties.get_by_test_id("expr-error")).to_be_visible()
    expect(expression).to_have_attribute("aria-invalid", "true")
    # It compiles, but `amount` is a number (a CEL double): the editor warns about the int.
    expression.fill("amount * 2")
    expect(properties.get_by_test_id("expr-error")).to_have_count(0)
    expect(properties.get_by_test_id("expr-warning")).to_contain_text("Write 2.0")
    with page.expect_response(
        lambda r: r.request.method == "PUT" and "amount * 2.0" in (r.request.post_data or "")
    ) as saved:
        expression.fill("amount * 2.0")
        expect(properties.get_by_test_id("expr-warning")).to_have_count(0)
    assert saved.value.status == 200
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    expect(node).to_contain_text("total = amount * 2.0")
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")

    # Autosave: a reload shows the edit, from the server.
    page.reload()
    expect(page.get_by_test_id("node-assign_1")).to_contain_text("total = amount * 2.0")
    expect(page.locator(".react-flow__edge")).to_have_count(2)
    expect(page.get_by_test_id("backup-banner")).to_have_count(0)
    graph = Flow.objects.get(key="order-check").graph
    assign = next(n for n in graph["nodes"] if n["id"] == "assign_1")
    assert assign["config"]["assignments"] == [{"variable": "total", "expression": "amount * 2.0"}]
    assert {(e["source"], e["target"]) for e in graph["edges"]} == {
        ("start", "assign_1"),
        ("assign_1", "end"),
    }


def test_real_flow_layout_problems_and_jump_to_node(
    login: Any, sluice_server: Any, admin_user: Any, screenshot: Any
) -> None:
    # The loan quote with its two ends drawn the wrong way round: the branches cross.
    doc = copy.deepcopy(LOAN_QUOTE)
    for node in doc["graph"]["nodes"]:
        if node["id"] == "ok":
            node["position"] = {"x": 640, "y": 260}
        if node["id"] == "no":
            node["position"] = {"x": 640, "y": 0}
    make_flow(doc, admin_user)
    page = login("root", "pw-root")
    open_editor(page, sluice_server, "loan-quote")
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")

    # Shift+L lays it out left to right with the condition's branch above the default one.
    page.get_by_test_id("canvas").locator(".react-flow__pane").click(position={"x": 30, "y": 30})
    page.keyboard.press("Shift+L")
    no, check = page.get_by_test_id("node-no"), page.get_by_test_id("node-check")
    assert position(page, "ok")[1] < position(page, "check")[1] < position(page, "no")[1]
    assert position(page, "check")[0] < position(page, "ok")[0]
    page.wait_for_function(SETTLED)
    expect(page.get_by_test_id("edge-label-e3")).to_have_text("total < 1000.0")
    screenshot(page, "designer-loan-quote")

    # Deleting the default end leaves the decision without a default edge.
    no.click()
    page.keyboard.press("Delete")
    expect(no).to_have_count(0)
    problem = page.locator("[data-testid^='problem-'][data-node='check']")
    expect(problem).to_contain_text("default")
    expect(check.locator(".snode-badge-problem")).to_be_visible()
    expect(check).to_have_class(re.compile("has-problem"))
    screenshot(page, "designer-problems")

    # The problems list jumps to the node: selected, centred, its properties open.
    page.locator(".react-flow__pane").click(position={"x": 30, "y": 30})
    page.get_by_test_id("fit-view").click()
    problem.click()
    expect(page.locator(".react-flow__node.selected")).to_have_attribute("data-id", "check")
    expect(page.get_by_test_id("prop-id")).to_have_value("check")
    page.wait_for_function(CENTRED, arg="node-check")

    page.keyboard.press("Control+z")
    expect(no).to_be_visible()
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")


def test_keyboard_palette_shortcuts_clipboard_and_labels(
    login: Any, sluice_server: Any, admin_user: Any
) -> None:
    make_flow(TWO_ENDS, admin_user)
    page = login("root", "pw-root")
    open_editor(page, sluice_server, "order-check")

    # Labelled controls.
    expect(page.get_by_role("button", name="Undo")).to_be_disabled()
    expect(page.get_by_role("button", name="Keyboard shortcuts")).to_be_visible()
    expect(page.get_by_role("searchbox", name="Search nodes")).to_be_visible()
    expect(page.get_by_role("complementary", name="Node palette")).to_be_visible()
    expect(page.get_by_test_id("palette-item-start")).to_have_attribute("aria-disabled", "true")

    # Tab from the top of the page to the palette search; the focus is visible.
    search = page.get_by_test_id("palette-search")
    page.locator("body").focus()
    for _ in range(30):
        page.keyboard.press("Tab")
        if search.evaluate("el => el === document.activeElement"):
            break
    expect(search).to_be_focused()
    ring = page.locator(".palette .search-box").evaluate("el => getComputedStyle(el).boxShadow")
    assert ring != "none"

    # Enter adds the first match; ↓ walks the list and Enter adds the focused one.
    page.keyboard.type("log")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("node-log_1")).to_be_visible()
    expect(page.get_by_test_id("prop-id")).to_have_value("log_1")
    search.fill("")
    search.press("ArrowDown")
    expect(page.get_by_test_id("palette-item-end")).to_be_focused()
    page.keyboard.press("ArrowDown")
    expect(page.get_by_test_id("palette-item-decision")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("node-decision_1")).to_be_visible()

    # The palette folds away to give the canvas its width, and comes back.
    page.get_by_role("button", name="Hide the node palette").click()
    expect(search).to_have_count(0)
    page.get_by_role("button", name="Show the node palette").click()
    expect(search).to_be_visible()

    # "?" opens the shortcuts help; Escape closes it.
    page.locator(".react-flow__pane").click(position={"x": 30, "y": 30})
    page.keyboard.press("?")
    help_dialog = page.get_by_test_id("shortcuts")
    expect(help_dialog).to_be_visible()
    expect(help_dialog).to_contain_text("Auto-layout")
    page.keyboard.press("Escape")
    expect(help_dialog).to_have_count(0)

    # Copy and paste a node with the keyboard.
    page.get_by_test_id("node-log_1").click()
    page.keyboard.press("Control+c")
    expect(page.get_by_test_id("toast").last).to_have_text("Copied 1 node")
    page.keyboard.press("Control+v")
    expect(page.get_by_test_id("node-log_2")).to_be_visible()
    page.keyboard.press("Control+d")
    expect(page.get_by_test_id("node-log_3")).to_be_visible()
