"""One statement goes without BEGIN and COMMIT on a database server, never on SQLite, and
never where it would leave an outer transaction without its savepoint."""

from __future__ import annotations

import pytest
from django.db import connection, transaction

from runtime import writes

pytestmark = pytest.mark.django_db(transaction=True)


def in_transaction(single_statement: bool) -> bool:
    with writes.atomic(single_statement=single_statement):
        return connection.in_atomic_block


def test_a_single_statement_runs_on_its_own_on_a_server_only() -> None:
    assert in_transaction(single_statement=True) is (connection.vendor == "sqlite")
    assert in_transaction(single_statement=False) is True


def test_inside_a_transaction_it_keeps_a_savepoint() -> None:
    with transaction.atomic():
        depth = len(connection.savepoint_ids)
        with writes.atomic(single_statement=True):
            assert len(connection.savepoint_ids) == depth + 1
