"""Transactions around the run's writes, where a transaction is needed."""

from __future__ import annotations

from contextlib import AbstractContextManager, nullcontext

from django.db import connection, transaction


def atomic(*, single_statement: bool = False) -> AbstractContextManager[object]:
    """`transaction.atomic()`, except around one statement on a database server outside any
    other transaction: a statement is atomic by itself, and BEGIN and COMMIT cost PostgreSQL
    two more round trips (a sync run's and a worker's write were three instead of one).
    SQLite keeps the transaction, which is where `designer.sqlite` queues writers in turn."""
    if single_statement and connection.vendor != "sqlite" and not connection.in_atomic_block:
        return nullcontext()
    return transaction.atomic()
