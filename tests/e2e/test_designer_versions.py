"""Drafts and versions in Chromium: a stale-revision conflict between two people on the same
flow (nothing lost), publishing (refused while the draft has problems), comparing the draft
with v1 on the canvas, and restoring v1."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.factories import LOAN_QUOTE, make_flow

pytestmark = pytest.mark.django_db(transaction=True)


def open_editor(page: Any, server: Any, key: str) -> None:
    page.goto(f"{server.url}/designer/flows/{key}/")
    expect(page.get_by_test_id("node-start")).to_be_visible()


def saved_with(page: Any, text: str) -> Any:
    """Waits for the autosave PUT that carries `text`."""
    return page.expect_response(
        lambda r: r.request.method == "PUT" and text in (r.request.post_data or "")
    )


def test_two_people_one_flow_conflict_and_keep_my_copy(
    login: Any, sluice_server: Any, admin_user: Any, screenshot: Any
) -> None:
    from designer.models import Flow

    make_flow(LOAN_QUOTE, admin_user)
    ada = login("root", "pw-root")
    bob = login("root", "pw-root")
    open_editor(ada, sluice_server, "loan-quote")
    open_editor(bob, sluice_server, "loan-quote")

    ada.get_by_test_id("node-calc").click()
    with saved_with(ada, "Compute the total") as first:
        ada.get_by_test_id("prop-label").fill("Compute the total")
    assert first.value.status == 200
    expect(ada.get_by_test_id("save-status")).to_have_text("Saved")
    expect(ada.get_by_test_id("revision")).to_have_text("rev 2")

    # Bob still edits revision 1: his save is refused and he is told, with his edit kept.
    with saved_with(bob, "Loan quote for partners") as second:
        bob.get_by_test_id("flow-name").fill("Loan quote for partners")
    assert second.value.status == 409
    conflict = bob.get_by_test_id("conflict")
    expect(conflict).to_be_visible()
    expect(conflict).to_contain_text("revision 2")
    expect(bob.get_by_test_id("save-status")).to_have_text("Conflict")
    expect(bob.get_by_test_id("flow-title")).to_have_text("Loan quote for partners")
    screenshot(bob, "designer-conflict")

    # "Keep my copy" saves Bob's version as loan-quote-copy and opens it; Ada's edit stays.
    bob.get_by_test_id("conflict-keep").click()
    bob.wait_for_url("**/designer/flows/loan-quote-copy/")
    expect(bob.get_by_test_id("flow-title")).to_have_text("Loan quote for partners (copy)")
    expect(bob.get_by_test_id("save-status")).to_have_text("Saved")
    expect(bob.get_by_test_id("conflict")).to_have_count(0)
    expect(bob.get_by_test_id("backup-banner")).to_have_count(0)
    original, copy = Flow.objects.get(key="loan-quote"), Flow.objects.get(key="loan-quote-copy")
    assert original.name == "Loan quote"
    assert next(n for n in original.graph["nodes"] if n["id"] == "calc")["label"] == (
        "Compute the total"
    )
    assert copy.name == "Loan quote for partners (copy)"
    assert "label" not in next(n for n in copy.graph["nodes"] if n["id"] == "calc")

    # Ada's page is not disturbed.
    expect(ada.get_by_test_id("conflict")).to_have_count(0)
    expect(ada.get_by_test_id("node-calc")).to_contain_text("Compute the total")


def test_publish_compare_with_v1_and_restore(
    login: Any, sluice_server: Any, admin_user: Any, screenshot: Any
) -> None:
    from designer.models import Flow, FlowVersion

    make_flow(LOAN_QUOTE, admin_user)
    page = login("root", "pw-root")
    open_editor(page, sluice_server, "loan-quote")
    expect(page.get_by_test_id("version-badge")).to_have_text("Not published")

    # A draft with a problem is not published; the dialog says why.
    page.get_by_test_id("node-no").click()
    page.keyboard.press("Delete")
    expect(page.get_by_test_id("problems-count")).to_have_text("1")
    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("publish-error")).to_contain_text("default edge")
    page.keyboard.press("Escape")
    page.get_by_test_id("undo").click()
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")

    page.get_by_test_id("publish").click()
    page.get_by_test_id("publish-note").fill("first quote")
    page.get_by_test_id("publish-confirm").click()
    expect(page.get_by_test_id("version-badge")).to_have_text("v1")
    v1 = FlowVersion.objects.get(flow__key="loan-quote", number=1)
    assert v1.note == "first quote"
    assert len(v1.document["graph"]["nodes"]) == 5

    # Change the draft: a new fee, and a log node on the way.
    page.get_by_test_id("node-calc").click()
    expression = page.get_by_test_id("prop-assignments.0.expression")
    expression.fill("amount * 1.10")
    page.get_by_test_id("palette-search").fill("log")
    with saved_with(page, "log_1"):
        page.get_by_test_id("palette-search").press("Enter")
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    expect(page.get_by_test_id("version-badge")).to_contain_text("v1")
    expect(page.get_by_test_id("version-badge").locator(".badge-dot")).to_be_visible()

    # Compare v1 with the draft: the changed node and the added one are marked.
    page.get_by_test_id("tab-versions").click()
    expect(page.get_by_test_id("version-1")).to_contain_text("first quote")
    page.get_by_test_id("version-compare-1").click()
    banner = page.get_by_test_id("diff-banner")
    expect(banner).to_contain_text("1 added")
    expect(banner).to_contain_text("1 changed")
    expect(page.get_by_test_id("node-calc")).to_have_attribute("data-diff", "changed")
    expect(page.get_by_test_id("node-log_1")).to_have_attribute("data-diff", "added")
    expect(page.get_by_test_id("node-check")).not_to_have_attribute("data-diff", "changed")
    expect(page.get_by_test_id("publish")).to_be_disabled()
    page.get_by_test_id("node-calc").click()
    changes = page.get_by_test_id("node-changes")
    expect(changes).to_contain_text("Changed since v1")
    expect(changes.locator("li")).to_have_count(1)
    expect(changes.locator("li")).to_contain_text("assignments.0.expression")
    expect(changes.locator("del")).to_have_text('"amount * 1.05"')
    expect(changes.locator("ins")).to_have_text('"amount * 1.10"')
    screenshot(page, "designer-diff")

    # Restore v1 into the draft: the fee is back, the log node gone, and it is saved.
    with saved_with(page, "amount * 1.05"):
        page.get_by_test_id("diff-restore").click()
    expect(banner).to_have_count(0)
    expect(page.get_by_test_id("node-log_1")).to_have_count(0)
    expect(page.get_by_test_id("node-calc")).to_contain_text("amount * 1.05")
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    draft = Flow.objects.get(key="loan-quote")
    assert draft.graph["nodes"] == v1.document["graph"]["nodes"]
    assert draft.graph["edges"] == v1.document["graph"]["edges"]
