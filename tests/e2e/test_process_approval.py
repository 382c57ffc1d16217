"""Issue 6 end to end in Chromium: a requester starts the loan application from its screen, a
manager approves it from the task list, and the requester's screen follows the process over
the websocket, as two people in two browser contexts against daphne and a real RQ worker."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from tests.runtime.process_support import approver

pytestmark = pytest.mark.django_db(transaction=True)


def test_manager_approves_from_the_task_list_and_the_requester_sees_it_live(
    login: Any, sluice_server: Any, django_user_model: Any, screenshot: Any
) -> None:
    from designer.demo import load_demo

    load_demo()
    approver(django_user_model, "alice", is_staff=True)
    approver(django_user_model, "bob", "managers", is_staff=True)

    requester = login("alice", "pw-alice")
    requester.goto(f"{sluice_server.url}/screens/loan-application/")
    requester.get_by_test_id("field-applicant").fill("Ada Lovelace")
    requester.get_by_test_id("field-amount").fill("1200")
    requester.get_by_test_id("field-income").fill("6000")
    with requester.expect_response(re.compile(r"/executions$")) as started:
        requester.get_by_test_id("button-start").click()
    assert started.value.status == 202
    run = requester.locator("#runs li").first
    expect(run).to_have_attribute("data-status", "waiting", timeout=20_000)
    expect(run.get_by_test_id("run-result")).to_contain_text("waiting for Approve or Reject")
    polled: list[str] = []
    requester.on("request", lambda r: polled.append(r.url) if "/api/executions/" in r.url else None)
    screenshot(requester, "process-requester-waiting")

    manager = login("bob", "pw-bob")
    manager.goto(f"{sluice_server.url}/tasks/")
    tasks = manager.get_by_test_id("task-list")
    expect(tasks).to_contain_text("loan-application")
    tasks.get_by_role("link", name="Manager approval").click()
    expect(manager.get_by_test_id("data-applicant")).to_have_text("Ada Lovelace")
    expect(manager.get_by_test_id("data-risk")).to_contain_text('"level": "low"')
    manager.get_by_test_id("field-comment").fill("Welcome aboard")
    screenshot(manager, "process-manager-task")
    with manager.expect_response(re.compile(r"/transitions/approve$")) as approved:
        manager.get_by_test_id("transition-approve").click()
    assert approved.value.status == 202
    expect(manager.get_by_test_id("outcome")).to_contain_text("the process moves on")
    expect(manager.get_by_test_id("transition-approve")).to_be_disabled()

    expect(run).to_have_attribute("data-status", "completed", timeout=20_000)
    expect(run.get_by_test_id("output-decision")).to_have_text("approved")
    expect(run.get_by_test_id("output-comment")).to_have_text("Welcome aboard")
    assert polled == [], "the requester's screen was updated by polling, not the websocket"
    screenshot(requester, "process-requester-approved")

    manager.goto(f"{sluice_server.url}/tasks/")
    expect(manager.get_by_test_id("no-tasks")).to_be_visible()
