"""Input validation against a flow's parameters, before anything runs.

`number` values become floats and `integer` values ints, because CEL does not mix int and double
(`amount * 1.05` needs a double `amount`). Datetimes stay RFC 3339 strings, which CEL's
`timestamp()` reads. An optional parameter without a default is present as null, so expressions
can test `customer == null` instead of failing on an unknown name.
"""

from __future__ import annotations

import copy
import math
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import TYPE_CHECKING, Any

from runtime.engine import limits
from runtime.engine.errors import InputInvalid, Issue
from runtime.engine.values import measure

if TYPE_CHECKING:
    from runtime.engine.compiler import CompiledFlow

_RFC3339 = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(?:\.\d{1,9})?(?:[Zz]|[+-]\d{2}:\d{2})$"
)


class BadValue(ValueError):
    """A value that does not fit its parameter type."""


def _string(value: Any) -> Any:
    if not isinstance(value, str):
        raise BadValue("must be a string")
    return value


def _number(value: Any) -> Any:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise BadValue("must be a number")
    if not math.isfinite(value):
        raise BadValue("must be a finite number")
    return float(value)


def _integer(value: Any) -> Any:
    if isinstance(value, float) and math.isfinite(value) and value.is_integer():
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise BadValue("must be an integer")
    if not -(2**63) <= value < 2**63:
        raise BadValue("must fit in 64 bits")
    return value


def _boolean(value: Any) -> Any:
    if not isinstance(value, bool):
        raise BadValue("must be true or false")
    return value


def _object(value: Any) -> Any:
    if not isinstance(value, dict):
        raise BadValue("must be an object")
    return value


def _list(value: Any) -> Any:
    if not isinstance(value, list):
        raise BadValue("must be a list")
    return value


def _datetime(value: Any) -> Any:
    if not isinstance(value, str) or not _RFC3339.match(value):
        raise BadValue("must be an RFC 3339 date-time such as 2024-01-31T09:30:00Z")
    try:
        datetime.fromisoformat(value.upper().replace("Z", "+00:00"))
    except ValueError as exc:
        raise BadValue(f"is not a valid date-time: {exc}") from None
    return value


COERCE: dict[str, Callable[[Any], Any]] = {
    "string": _string,
    "number": _number,
    "integer": _integer,
    "boolean": _boolean,
    "object": _object,
    "list": _list,
    "datetime": _datetime,
}


def coerce(kind: str, value: Any) -> Any:
    """Check one value against a parameter type and the size caps; return its stored form."""
    convert = COERCE.get(kind)
    if convert is None:
        raise BadValue(f"unknown parameter type {kind!r}")
    cleaned = convert(value)
    items, _, longest = measure(cleaned)
    if longest > limits.MAX_STRING_LENGTH:
        raise BadValue(f"holds a string longer than {limits.MAX_STRING_LENGTH} characters")
    if items > limits.MAX_COLLECTION_ITEMS:
        raise BadValue(f"holds more than {limits.MAX_COLLECTION_ITEMS} elements")
    return cleaned


def clean(parameters: Iterable[dict[str, Any]], data: Any) -> tuple[dict[str, Any], list[Issue]]:
    """Return the cleaned input and every problem found."""
    if not isinstance(data, dict):
        return {}, [Issue("the input must be an object")]
    issues: list[Issue] = []
    cleaned: dict[str, Any] = {}
    known: set[str] = set()
    for parameter in parameters:
        name, kind = parameter["name"], parameter["type"]
        known.add(name)
        if name in data and data[name] is not None:
            try:
                cleaned[name] = coerce(kind, data[name])
            except BadValue as exc:
                issues.append(Issue(f"{name} {exc}", field=name))
        elif "default" in parameter:
            cleaned[name] = copy.deepcopy(parameter["default"])
        elif parameter.get("required", False):
            issues.append(Issue(f"{name} is required", field=name))
        else:
            cleaned[name] = None
    for name in data:
        if name not in known:
            issues.append(Issue(f"{name} is not a parameter of this flow", field=str(name)))
    total = sum(sum(measure(value)[:2]) for value in cleaned.values())
    if total > limits.MAX_VARIABLES_SIZE:
        issues.append(
            Issue(
                f"the input holds {total:,} elements and characters; the limit is "
                f"{limits.MAX_VARIABLES_SIZE:,}"
            )
        )
    return cleaned, issues


def validate_input(flow: CompiledFlow, data: dict[str, Any]) -> dict[str, Any]:
    """Check an input against the flow's parameters; raise InputInvalid listing every issue."""
    cleaned, issues = clean(flow.parameters, data)
    if issues:
        raise InputInvalid(issues)
    return cleaned
