"""JSON Schemas of the flow document and its edges, plus shared fragments for node configs.

The structural schema is checked first so the semantic checks can rely on basic shapes;
node configs are checked per type against the registry's schemas.
"""

from __future__ import annotations

from typing import Any

from runtime.engine import limits

IDENTIFIER_PATTERN = r"^[A-Za-z_][A-Za-z0-9_]*$"
SLUG_PATTERN = r"^[a-z0-9]+(?:[-_][a-z0-9]+)*$"
PARAMETER_TYPES = ("string", "number", "integer", "boolean", "object", "list", "datetime")
TRIGGERS = ("manual", "automatic", "scheduled", "event")
RESERVED_NAMES = frozenset(
    {
        "execution",
        "true",
        "false",
        "null",
        "in",
        "as",
        "break",
        "const",
        "continue",
        "else",
        "for",
        "function",
        "if",
        "import",
        "let",
        "loop",
        "namespace",
        "package",
        "return",
        "var",
        "void",
        "while",
    }
)


def expression(description: str) -> dict[str, Any]:
    """A config field holding a CEL expression (length and syntax are checked by compiling)."""
    return {"type": "string", "format": "cel", "description": description}


def variable(description: str) -> dict[str, Any]:
    """A config field naming a variable."""
    return {
        "type": "string",
        "pattern": IDENTIFIER_PATTERN,
        "maxLength": 100,
        "not": {"enum": sorted(RESERVED_NAMES)},
        "description": description,
    }


def expression_map(description: str) -> dict[str, Any]:
    """A map name → expression (outputs, call inputs, headers)."""
    return {
        "type": "object",
        "description": description,
        "additionalProperties": expression("expression for this entry"),
        "maxProperties": 200,
    }


def flow_key(description: str) -> dict[str, Any]:
    return {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100, "description": description}


def edge_schema() -> dict[str, Any]:
    """Fields an edge may carry; `trigger` and its fields only on transitions out of a state."""
    return {
        "type": "object",
        "required": ["id", "source", "target"],
        "properties": {
            "id": {"type": "string", "minLength": 1, "maxLength": 200},
            "source": {"type": "string", "minLength": 1},
            "target": {"type": "string", "minLength": 1},
            "label": {"type": "string", "maxLength": 200},
            "condition": expression("CEL; the edge is taken when it holds (first match wins)"),
            "default": {
                "type": "boolean",
                "description": "taken when no conditional edge holds",
            },
            "on_error": {
                "type": "boolean",
                "description": "taken when the source node fails after its retries",
            },
            "trigger": {"enum": list(TRIGGERS), "description": "process transitions only"},
            "name": {
                "type": "string",
                "pattern": IDENTIFIER_PATTERN,
                "maxLength": 100,
                "description": "manual transition name (a process button)",
            },
            "after_s": {
                "type": "number",
                "minimum": 0,
                "description": "scheduled: seconds after entering the state",
            },
            "at": expression("scheduled: CEL giving an RFC 3339 datetime"),
            "event": {
                "type": "string",
                "minLength": 1,
                "maxLength": 200,
                "description": "event transition: the event name",
            },
        },
    }


def _parameter_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "required": ["name", "type"],
        "properties": {
            "name": {
                "type": "string",
                "pattern": IDENTIFIER_PATTERN,
                "maxLength": 100,
                "not": {"enum": sorted(RESERVED_NAMES)},
            },
            "type": {"enum": list(PARAMETER_TYPES)},
            "required": {"type": "boolean"},
            "label": {"type": "string"},
            "description": {"type": "string"},
        },
    }


def _retry_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "additionalProperties": False,
        "properties": {
            "max_attempts": {"type": "integer", "minimum": 1, "maximum": limits.MAX_RETRY_ATTEMPTS},
            "backoff_s": {"type": "number", "minimum": 0, "maximum": limits.MAX_BACKOFF_S},
            "max_backoff_s": {"type": "number", "minimum": 0, "maximum": limits.MAX_BACKOFF_S},
        },
    }


def document_schema() -> dict[str, Any]:
    """Structure of a whole flow document (node configs are checked per type afterwards)."""
    return {
        "type": "object",
        "required": ["key", "name", "kind", "graph"],
        "properties": {
            "key": {"type": "string", "pattern": SLUG_PATTERN, "maxLength": 100},
            "name": {"type": "string", "minLength": 1, "maxLength": 200},
            "kind": {"enum": ["micro", "process"]},
            "description": {"type": "string"},
            "parameters": {"type": "array", "items": _parameter_schema(), "maxItems": 200},
            "graph": {
                "type": "object",
                "required": ["nodes", "edges"],
                "properties": {
                    "nodes": {
                        "type": "array",
                        "maxItems": limits.MAX_NODES,
                        "items": {
                            "type": "object",
                            "required": ["id", "type"],
                            "properties": {
                                "id": {"type": "string", "minLength": 1, "maxLength": 200},
                                "type": {"type": "string", "minLength": 1},
                                "config": {"type": "object"},
                                "retry": _retry_schema(),
                                "label": {"type": "string"},
                            },
                        },
                    },
                    "edges": {
                        "type": "array",
                        "maxItems": limits.MAX_EDGES,
                        "items": edge_schema(),
                    },
                },
            },
        },
    }
