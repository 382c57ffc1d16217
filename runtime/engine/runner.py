"""The run loop: one node at a time, with retries, error edges, bounds and checkpoints.

Flow-level problems never raise: they end the run as 'failed' with an error dict. Only
programming errors escape. Between nodes the loop asks `should_pause`, so a run can be handed
to another process and resumed from its saved state with the same result.
"""

from __future__ import annotations

import random
import time
from typing import Any

from runtime.engine.compiler import CompiledEdge, CompiledFlow, CompiledNode, RetryPolicy
from runtime.engine.context import RunContext
from runtime.engine.errors import NodeFailure
from runtime.engine.observers import Observer, StepEvent
from runtime.engine.routing import route
from runtime.engine.scope import Outcome, Scope
from runtime.engine.state import ExecutionState

_perf = time.perf_counter
_now = time.time


def backoff_s(policy: RetryPolicy, attempt: int) -> float:
    """Exponential backoff with jitter (between half and all of the capped delay)."""
    delay = min(policy.max_backoff_s, policy.backoff_s * 2 ** (attempt - 1))
    return delay * (0.5 + random.random() / 2)


def _stop(
    state: ExecutionState, node_id: str | None, kind: str, message: str, retryable: bool = False
) -> ExecutionState:
    state.status = "failed"
    state.error = {"node": node_id, "type": kind, "message": message, "retryable": retryable}
    return state


def _boundary_stop(
    state: ExecutionState, context: RunContext, node_id: str
) -> ExecutionState | None:
    """Checks made before every node: pause, step budget, deadline."""
    if context.should_pause():
        state.status = "paused"
        return state
    if state.step_count >= context.max_steps:
        return _stop(
            state, node_id, "max_steps", f"stopped after {context.max_steps} steps (MAX_STEPS)"
        )
    if context.deadline is not None and context.monotonic() >= context.deadline:
        return _stop(state, node_id, "timeout", "the execution passed its deadline", True)
    return None


def _waits_past_pause(node: CompiledNode, context: RunContext) -> bool:
    """A node that would wait beyond `pause_at` (a sync run's bound) is handed off before it
    starts, so the worker waits instead of the caller."""
    if context.pause_at is None or node.node_type.wait_s is None:
        return False
    return context.monotonic() + node.node_type.wait_s(node) >= context.pause_at


def _prepare(state: ExecutionState) -> bool:
    """Make a saved state runnable; False when there is nothing to run."""
    if state.status in ("completed", "waiting") or state.next_node is None:
        return False
    if state.status == "failed":
        state.error = None
        state.attempts.pop(state.next_node, None)
        state.step_count = 0
    state.status = "running"
    return True


def _succeeded(
    node: CompiledNode,
    outcome: Outcome | None,
    edge: CompiledEdge | None,
    state: ExecutionState,
    event: StepEvent,
) -> None:
    event.status = "completed"
    if outcome is not None:
        event.input = outcome.input
        event.output = outcome.output
    if node.id in state.attempts:
        del state.attempts[node.id]
    state.path.append(node.id)
    if outcome is not None and outcome.finish is not None:
        state.status = "completed"
        state.output = outcome.finish
        state.next_node = None
    elif outcome is not None and outcome.wait is not None:
        state.status = "waiting"
        state.waiting_for = outcome.wait
        state.next_node = node.id
    else:
        assert edge is not None
        state.next_node = event.next_node = edge.target
        event.edge_id = edge.id


def _failed(
    node: CompiledNode,
    failure: NodeFailure,
    state: ExecutionState,
    scope: Scope,
    event: StepEvent,
) -> float | None:
    """Record a failed attempt; return the seconds to back off before retrying, or None."""
    error = failure.as_error(node.id)
    event.status = "failed"
    event.error = error
    policy = node.retry
    if policy is not None and failure.retryable and event.attempt < policy.max_attempts:
        state.attempts[node.id] = event.attempt
        event.next_node = node.id
        return backoff_s(policy, event.attempt)
    state.attempts.pop(node.id, None)
    state.path.append(node.id)
    edge = node.error_edge
    if edge is None:
        state.status = "failed"
        state.error = error
        return None
    try:
        scope.set("error", error)
    except NodeFailure as too_big:
        state.status = "failed"
        state.error = too_big.as_error(node.id)
        return None
    state.next_node = event.next_node = edge.target
    event.edge_id = edge.id
    return None


def _execute(node: CompiledNode, scope: Scope) -> tuple[Outcome | None, CompiledEdge | None]:
    outcome = node.node_type.run(node, scope)
    if outcome is not None and outcome.edge is not None:
        return outcome, outcome.edge
    if node.terminal or (outcome is not None and outcome.wait is not None):
        return outcome, None
    return outcome, route(node, scope)


def run(
    flow: CompiledFlow, state: ExecutionState, observer: Observer, context: RunContext
) -> ExecutionState:
    """Run from `state.next_node` until the flow ends, fails, pauses or waits."""
    if not _prepare(state):
        return state
    scope = Scope(state.variables, context)
    nodes = flow.nodes
    attempts = state.attempts
    while True:
        node_id: Any = state.next_node
        stopped = _boundary_stop(state, context, node_id)
        if stopped is not None:
            return stopped
        node = nodes.get(node_id)
        if node is None:
            return _stop(state, node_id, "state", f"node {node_id!r} is not in this flow version")
        if _waits_past_pause(node, context):
            state.status = "paused"
            return state
        attempt = attempts.get(node_id, 0) + 1
        state.seq += 1
        state.step_count += 1
        scope.attempt = attempt
        logs: list[dict[str, Any]] = []
        scope.logs = logs
        event = StepEvent(state.seq, node_id, node.type, attempt, "running", None, None, None, logs)
        event.started_at = _now()
        observer.step_started(event)
        began = _perf()
        try:
            outcome, edge = _execute(node, scope)
        except NodeFailure as failure:
            event.duration_ms = (_perf() - began) * 1000
            pause = _failed(node, failure, state, scope, event)
            observer.step_failed(event, state)
            if state.status == "failed":
                return state
            if pause is not None:
                remaining = context.remaining_s()
                if remaining is not None and pause >= remaining:
                    return _stop(
                        state, node_id, "timeout", "the next retry would pass the deadline", True
                    )
                context.sleep(pause)
            continue
        event.duration_ms = (_perf() - began) * 1000
        _succeeded(node, outcome, edge, state, event)
        observer.step_finished(event, state)
        if state.status != "running":
            return state
