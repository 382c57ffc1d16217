"""The designer's flow list in Chromium: search, filter by kind, create, duplicate, rename,
delete with a confirmation, and a flow exported to a JSON file and imported back."""

from __future__ import annotations

import json
from typing import Any

import pytest
from playwright.sync_api import expect

from designer.demo_flows import LOAN_APPLICATION
from tests.factories import LOAN_QUOTE, linear_flow, make_flow

pytestmark = pytest.mark.django_db(transaction=True)


def rows(page: Any) -> Any:
    return page.get_by_test_id("flow-list").locator("tbody tr[data-testid^='flow-row-']")


def test_search_filter_create_duplicate_rename_delete(
    login: Any, sluice_server: Any, admin_user: Any, screenshot: Any
) -> None:
    from designer.models import Flow

    make_flow(LOAN_QUOTE, admin_user)
    make_flow(LOAN_APPLICATION, admin_user)
    make_flow(linear_flow("greeting", [{"id": "hello", "type": "log"}]), admin_user)
    page = login("root", "pw-root")
    expect(rows(page)).to_have_count(3)

    page.get_by_test_id("flow-search").fill("loan")
    expect(rows(page)).to_have_count(2)
    page.get_by_test_id("filter-kind-process").click()
    expect(rows(page)).to_have_count(1)
    expect(page.get_by_test_id("flow-row-loan-application")).to_be_visible()
    page.get_by_test_id("flow-search").fill("")
    page.get_by_test_id("filter-kind-micro").click()
    expect(rows(page)).to_have_count(2)
    expect(page.get_by_test_id("flow-row-loan-application")).to_have_count(0)
    page.get_by_test_id("filter-kind-all").click()
    expect(rows(page)).to_have_count(3)

    # Duplicate, rename the copy, delete it after a confirmation.
    page.get_by_test_id("flow-duplicate-loan-quote").click()
    copy = page.get_by_test_id("flow-row-loan-quote-copy")
    expect(copy).to_contain_text("Loan quote (copy)")
    assert Flow.objects.get(key="loan-quote-copy").graph == LOAN_QUOTE["graph"]
    page.get_by_test_id("flow-rename-loan-quote-copy").click()
    page.get_by_test_id("rename-name").fill("Loan quote, second opinion")
    page.get_by_test_id("rename-submit").click()
    expect(copy).to_contain_text("Loan quote, second opinion")
    page.get_by_test_id("flow-delete-loan-quote-copy").click()
    expect(page.get_by_test_id("delete-dialog")).to_contain_text("cannot be undone")
    page.get_by_test_id("confirm-delete").click()
    expect(copy).to_have_count(0)
    assert not Flow.objects.filter(key="loan-quote-copy").exists()

    # Create: the key follows the name; a taken key is refused, then the editor opens.
    page.get_by_test_id("new-flow").click()
    page.get_by_test_id("new-flow-name").fill("Greeting")
    expect(page.get_by_test_id("new-flow-key")).to_have_value("greeting")
    page.get_by_test_id("new-flow-submit").click()
    expect(page.get_by_test_id("new-flow-error")).to_contain_text("already exists")
    page.get_by_test_id("new-flow-name").fill("Order check")
    page.get_by_test_id("new-flow-kind").select_option("micro")
    page.get_by_test_id("new-flow-description").fill("Checks an order before it ships.")
    page.get_by_test_id("new-flow-submit").click()
    page.wait_for_url("**/designer/flows/order-check/")
    expect(page.get_by_test_id("node-start")).to_be_visible()
    expect(page.get_by_test_id("save-status")).to_have_text("Saved")
    expect(page.get_by_test_id("version-badge")).to_have_text("Not published")
    expect(page.locator(".react-flow__edge")).to_have_count(1)
    expect(page.get_by_test_id("problems")).to_contain_text("No problems")
    expect(page.get_by_test_id("canvas-hint")).to_contain_text("onto the arrow")
    screenshot(page, "designer-new-flow")
    assert Flow.objects.get(key="order-check").description == "Checks an order before it ships."


def test_export_and_import_a_json_file(
    login: Any, sluice_server: Any, admin_user: Any, tmp_path: Any
) -> None:
    from designer.models import Flow

    make_flow(LOAN_QUOTE, admin_user)
    page = login("root", "pw-root")
    with page.expect_download() as download:
        page.get_by_test_id("flow-export-loan-quote").click()
    assert download.value.suggested_filename == "loan-quote.sluice.json"
    exported = json.loads(open(download.value.path(), encoding="utf-8").read())  # noqa: SIM115
    assert exported["flow"]["key"] == "loan-quote"
    assert exported["flow"]["graph"] == LOAN_QUOTE["graph"]

    # Importing the same file while the key is taken creates the next free key.
    page.get_by_test_id("import-file").set_input_files(
        files=[
            {
                "name": "loan-quote.sluice.json",
                "mimeType": "application/json",
                "buffer": json.dumps(exported).encode(),
            }
        ]
    )
    expect(page.get_by_test_id("flow-row-loan-quote-2")).to_be_visible()
    imported = Flow.objects.get(key="loan-quote-2")
    assert imported.graph == LOAN_QUOTE["graph"]
    assert imported.parameters == LOAN_QUOTE["parameters"]

    # A file that is not a flow says so and creates nothing.
    page.get_by_test_id("import-file").set_input_files(
        files=[{"name": "notes.json", "mimeType": "application/json", "buffer": b'{"a": 1}'}]
    )
    expect(page.get_by_test_id("toast").last).to_contain_text("Import failed")
    assert Flow.objects.count() == 2
