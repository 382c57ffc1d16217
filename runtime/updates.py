"""Compare-and-set UPDATEs of one row, with statements prepared once per shape.

Each status change of an execution is `UPDATE ... WHERE id = ? AND status IN (...)`. Through
`QuerySet.update` the compile alone cost ~0.2 ms on every claim, checkpoint and finish; the
statements here are built once per set of columns and converted by `inserts.converter`, as
an INSERT of the same values would be.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from typing import Any

from django.db import connections, models, router
from django.db.backends.base.base import BaseDatabaseWrapper

from runtime.inserts import converter

Shape = tuple[type[models.Model], str, tuple[str, ...], str, int]
_plans: dict[Shape, tuple[str, list[Callable[[Any], Any] | None]]] = {}


def _plan(
    model: type[models.Model],
    connection: BaseDatabaseWrapper,
    names: tuple[str, ...],
    guard: str,
    choices: int,
) -> tuple[str, list[Callable[[Any], Any] | None]]:
    key = (model, connection.alias, names, guard, choices)
    plan = _plans.get(key)
    if plan is None:
        meta = model._meta
        quote = connection.ops.quote_name
        fields = [meta.get_field(name) for name in names]
        assignments = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        marks = ", ".join(["%s"] * choices)
        sql = (
            f"UPDATE {quote(meta.db_table)} SET {assignments} "
            f"WHERE {quote(meta.pk.column)} = %s "
            f"AND {quote(meta.get_field(guard).column)} IN ({marks})"
        )
        plan = _plans[key] = (sql, [converter(f, connection) for f in fields])
    return plan


def compare_and_set(
    model: type[models.Model],
    pk: Any,
    values: Mapping[str, Any],
    *,
    guard: str,
    expected: Collection[str],
) -> int:
    """Set `values` (field names to plain values) on the row `pk` if its `guard` column is
    one of `expected`; the number of rows changed (0 or 1)."""
    connection = connections[router.db_for_write(model)]
    names = tuple(values)
    sql, converts = _plan(model, connection, names, guard, len(expected))
    params = []
    for name, convert in zip(names, converts, strict=True):
        value = values[name]
        params.append(value if convert is None or value is None else convert(value))
    params.append(model._meta.pk.get_db_prep_value(pk, connection))
    params.extend(expected)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
