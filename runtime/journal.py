"""Filing journals: the steps a pure run kept in its execution row become Step rows.

A run of pure nodes that ends where it started (a sync call; an async job within its first
batch) stores its execution, finished, with its steps in the row's `journal`: one row and one
statement instead of eleven rows, ~0.2 ms of a ~0.8 ms sync run. The journal is where those
steps live, as n8n keeps a run's node data in one document; the steps API, the websocket
snapshot and the diagram read it with the Step rows (`step_rows.steps_of`).

Filing turns a journal into Step rows: the admin files an execution when it opens it (so its
inline lists every step), a retry files the first attempt's before the next can write one,
and `manage.py file_journals` files them all, for SQL reports over the step table. It is not
done in the background: at ~0.28 ms of CPU per execution it cost more than it saved, and on
two cores a background filer's bursts held SQLite's write lock long enough to push async
start-to-result p99 from 16 to ~90 ms. A filing inserts the rows and clears the journal in one
transaction, guarded by the journal still being there, so two filers never file one twice.
"""

from __future__ import annotations

import uuid

from django.db import transaction

from runtime import inserts
from runtime.models import Execution, Step
from runtime.step_rows import from_journal

# Executions per transaction: each holds SQLite's one write lock for a few ms, not longer.
BATCH = 20


def _file(ids: list[uuid.UUID]) -> int:
    with transaction.atomic():
        pending = Execution.objects.filter(pk__in=ids, journal__isnull=False)
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            pending = pending.select_for_update(skip_locked=True)
        journals = list(pending.values_list("pk", "journal"))
        rows = [row for pk, journal in journals for row in from_journal(pk, journal)]
        inserts.insert(Step, rows)
        Execution.objects.filter(pk__in=[pk for pk, _ in journals]).update(journal=None)
    return len(journals)


def file_journals() -> int:
    """File every journal, BATCH executions per transaction; how many were filed."""
    ids = list(
        Execution.objects.filter(journal__isnull=False).order_by().values_list("pk", flat=True)
    )
    return sum(_file(ids[i : i + BATCH]) for i in range(0, len(ids), BATCH))


def file_one(execution_id: uuid.UUID) -> bool:
    return _file([execution_id]) == 1
