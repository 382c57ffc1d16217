"""Find the CEL expressions in a node config from the registry's path patterns."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any


def _child_name(prefix: str, key: Any) -> str:
    return f"{prefix}[{key}]" if isinstance(key, int) else f"{prefix}.{key}"


def _walk(
    container: Any, parts: list[str], name: str
) -> Iterator[tuple[dict[str, Any] | list[Any], Any, str]]:
    head, rest = parts[0], parts[1:]
    if head == "*":
        if isinstance(container, dict):
            keys: list[Any] = list(container)
        elif isinstance(container, list):
            keys = list(range(len(container)))
        else:
            return
    elif isinstance(container, dict) and head in container:
        keys = [head]
    else:
        return
    for key in keys:
        child_name = _child_name(name, key)
        if rest:
            yield from _walk(container[key], rest, child_name)
        else:
            yield container, key, child_name


def expression_slots(
    config: Any, patterns: tuple[str, ...]
) -> Iterator[tuple[dict[str, Any] | list[Any], Any, str]]:
    """Yield (container, key, field name) for every value at the given config paths."""
    for pattern in patterns:
        yield from _walk(config, pattern.split("."), "config")
