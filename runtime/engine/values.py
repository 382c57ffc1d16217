"""Plain JSON values in and out of CEL, and their sizes for the sandbox caps.

Everything the engine stores (variables, outputs, step data) is plain JSON. What comes out of
CEL is converted back: timestamps become RFC 3339 strings (UTC as `Z`), durations become CEL
duration strings (`"90s"`), bytes become standard base64 strings, map keys become strings
(`true`/`false` for booleans) and tuples become lists. NaN and infinities have no JSON form and
are refused.
"""

from __future__ import annotations

import base64
import math
from datetime import datetime, timedelta
from typing import Any

from runtime.engine import limits
from runtime.engine.errors import NodeFailure

_SCALARS = (int, bool, str, type(None))


class NotJson(ValueError):
    """A value that has no plain JSON form."""


def format_datetime(value: datetime) -> str:
    text = value.isoformat()
    return text[:-6] + "Z" if text.endswith("+00:00") else text


def format_duration(value: timedelta) -> str:
    seconds = value.total_seconds()
    return f"{int(seconds)}s" if seconds.is_integer() else f"{seconds}s"


def _key(key: Any) -> str:
    if isinstance(key, bool):
        return "true" if key else "false"
    if isinstance(key, str):
        return key
    return str(to_json(key))


def to_json(value: Any) -> Any:
    """Convert a CEL result to plain JSON types (see the module docstring)."""
    kind = type(value)
    if kind in _SCALARS:
        return value
    if kind is float:
        if not math.isfinite(value):
            raise NotJson("the result is not a finite number")
        return value
    if isinstance(value, dict):
        return {_key(key): to_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [to_json(item) for item in value]
    if isinstance(value, datetime):
        return format_datetime(value)
    if isinstance(value, timedelta):
        return format_duration(value)
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(bytes(value)).decode("ascii")
    if isinstance(value, int | str):
        return value
    raise NotJson(f"a value of type {kind.__name__} has no JSON form")


def measure(value: Any) -> tuple[int, int, int]:
    """Return (elements, characters, longest string) of a JSON value, counted through nesting."""
    kind = type(value)
    if kind is str:
        return 1, len(value), len(value)
    if kind is not dict and kind is not list:
        return 1, 0, 0
    items = chars = longest = 0
    pending: list[Any] = [value]
    while pending:
        current = pending.pop()
        kind = type(current)
        items += 1
        if kind is str:
            chars += len(current)
            longest = max(longest, len(current))
        elif kind is dict:
            for key, item in current.items():
                items += 1
                chars += len(key)
                longest = max(longest, len(key))
                pending.append(item)
        elif kind is list:
            pending.extend(current)
    return items, chars, longest


def check_size(name: str, value: Any) -> tuple[int, int]:
    """Raise a 'limit' failure when one value breaks the caps; return its (elements, chars)."""
    items, chars, longest = measure(value)
    if longest > limits.MAX_STRING_LENGTH:
        raise NodeFailure(
            "limit", f"{name}: a string of {longest} characters exceeds {limits.MAX_STRING_LENGTH}"
        )
    if items > limits.MAX_COLLECTION_ITEMS:
        raise NodeFailure(
            "limit", f"{name}: {items} elements exceed the limit of {limits.MAX_COLLECTION_ITEMS}"
        )
    return items, chars
