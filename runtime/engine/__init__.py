"""Sluice's flow engine: validation, compilation and execution of flow documents.

Pure Python (no Django): the adapters in `runtime/` persist what it reports through observers.
"""

from runtime.engine import registry
from runtime.engine.compiler import CompiledEdge, CompiledFlow, CompiledNode, compile_flow
from runtime.engine.context import RunContext
from runtime.engine.errors import ExpressionError, FlowInvalid, InputInvalid, Issue, NodeFailure
from runtime.engine.expressions import check_expression
from runtime.engine.inputs import validate_input
from runtime.engine.observers import NullObserver, Observer, RecordingObserver, StepEvent
from runtime.engine.registry import NodeType, node_types, register
from runtime.engine.runner import run
from runtime.engine.schemas import edge_schema
from runtime.engine.state import ExecutionState
from runtime.engine.transitions import NotWaiting, fire_transition
from runtime.engine.validation import validate

__all__ = [
    "CompiledEdge",
    "CompiledFlow",
    "CompiledNode",
    "ExecutionState",
    "ExpressionError",
    "FlowInvalid",
    "InputInvalid",
    "Issue",
    "NodeFailure",
    "NodeType",
    "NotWaiting",
    "NullObserver",
    "Observer",
    "RecordingObserver",
    "RunContext",
    "StepEvent",
    "check_expression",
    "compile_flow",
    "edge_schema",
    "fire_transition",
    "node_types",
    "register",
    "registry",
    "run",
    "validate",
    "validate_input",
]
