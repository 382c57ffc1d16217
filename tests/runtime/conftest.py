"""Fixtures shared by the process-flow tests."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest


@pytest.fixture
def waiting_loan(api: Any, run_worker: Any) -> Iterator[str]:
    """Alice's demo loan application, waiting for a manager's approval."""
    from designer.demo import load_demo
    from tests.runtime.process_support import LOW_RISK, drop_timer_jobs, fresh, start_loan

    load_demo()
    execution_id = start_loan(api, LOW_RISK, business_key="loan-7")
    run_worker()
    assert fresh(execution_id).current_node == "review"
    yield execution_id
    drop_timer_jobs()
