"""`http`: an outbound HTTP call; private addresses are refused unless a setting allows them.

A response whose status is not 2xx fails the node (retryable for 408, 429 and 5xx) unless
`fail_on_status` is false, in which case the flow reads `result.status` itself.
"""

from __future__ import annotations

import json
from typing import Any

from runtime.engine import limits, schemas
from runtime.engine.compiler import CompiledNode
from runtime.engine.errors import NodeFailure
from runtime.engine.httpcall import Request, mask_headers, masked_url, parse_url, send
from runtime.engine.registry import BOTH, NodeType, register
from runtime.engine.scope import Outcome, Scope

METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE", "HEAD", "OPTIONS")
_HEADER_NAME = r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$"
_RETRYABLE_STATUS = frozenset({408, 429})


def _headers(node: CompiledNode, scope: Scope) -> dict[str, str]:
    headers: dict[str, str] = {}
    for name, expression in node.config.get("headers", {}).items():
        value = scope.evaluate(expression)
        text = value if isinstance(value, str) else json.dumps(value)
        if "\r" in text or "\n" in text:
            raise NodeFailure("http", f"header {name} contains a line break")
        headers[name] = text
    return headers


def _idempotency_key(node: CompiledNode, scope: Scope) -> str:
    prefix = scope.context.idempotency_prefix or str(scope.execution.get("id", ""))
    return f"{prefix}:{node.id}:{scope.attempt}"


def run(node: CompiledNode, scope: Scope) -> Outcome | None:
    config, context = node.config, scope.context
    url = scope.evaluate(config["url"])
    if not isinstance(url, str):
        raise NodeFailure("expression", f"{config['url'].field}: the URL must be a string")
    headers = _headers(node, scope)
    if not any(name.lower() == "idempotency-key" for name in headers):
        headers["Idempotency-Key"] = _idempotency_key(node, scope)
    body: bytes | None = None
    body_value: Any = None
    if "body" in config:
        body_value = scope.evaluate(config["body"])
        body = json.dumps(body_value).encode()
        if not any(name.lower() == "content-type" for name in headers):
            headers["Content-Type"] = "application/json"
    timeout = float(config.get("timeout_s", context.http_default_timeout_s))
    remaining = context.remaining_s()
    if remaining is not None:
        if remaining <= 0:
            raise NodeFailure("timeout", "no time is left before the execution's deadline")
        timeout = min(timeout, remaining)
    method = config.get("method", "GET")
    shown_url = masked_url(parse_url(url))
    step_input = {"method": method, "url": shown_url, "headers": mask_headers(headers)}
    if body is not None:
        step_input["body"] = body_value
    result = send(
        Request(
            method=method,
            url=url,
            headers=headers,
            body=body,
            timeout_s=timeout,
            allow_private=context.http_allow_private,
            max_bytes=context.http_max_response_bytes,
        )
    )
    status = result["status"]
    if config.get("fail_on_status", True) and not 200 <= status < 300:
        retryable = status >= 500 or status in _RETRYABLE_STATUS
        raise NodeFailure("http", f"{method} {shown_url} answered {status}", retryable=retryable)
    if "result_variable" in config:
        scope.set(config["result_variable"], result)
    shown = {**result, "headers": mask_headers(result["headers"])}
    return Outcome(input=step_input, output=shown)


register(
    NodeType(
        type="http",
        label="HTTP request",
        category="integration",
        icon="globe",
        description="Calls an HTTP API; the result is {status, headers, json, text}.",
        kinds=BOTH,
        config_schema={
            "type": "object",
            "additionalProperties": False,
            "required": ["url"],
            "properties": {
                "method": {"enum": list(METHODS), "default": "GET"},
                "url": schemas.expression("CEL giving the URL (http or https)"),
                "headers": {
                    **schemas.expression_map("header name → CEL expression"),
                    "propertyNames": {"pattern": _HEADER_NAME},
                },
                "body": schemas.expression("CEL giving the body, sent as JSON"),
                "timeout_s": {
                    "type": "number",
                    "exclusiveMinimum": 0,
                    "maximum": limits.MAX_HTTP_TIMEOUT_S,
                },
                "fail_on_status": {"type": "boolean", "default": True},
                "result_variable": schemas.variable("variable receiving the result"),
            },
        },
        run=run,
        expression_fields=("url", "headers.*", "body"),
    )
)
