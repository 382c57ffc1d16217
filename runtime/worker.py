"""The RQ worker class Sluice runs (`rqworker --worker-class runtime.worker.SluiceWorker`).

SimpleWorker, deliberately: RQ's default Worker forks a work horse per job (~150 jobs/s in RQ's
own benchmark against ~980/s without forking), and a fork also loses the warm database
connection, compiled flows and Redis pools of the parent. A job that crashes the process is
covered by the execution's lease and the reconciler, not by a horse.

Its bookkeeping is thinned where that is safe: on this kind of machine a Redis round trip costs
~100 us, and RQ made ~20 per job. The worker heartbeat (sent three times per job as two
separate commands, to keep a key that lives for minutes) goes at most once a second, as one
pipeline; the check for `rq suspend` also runs at most once a second. Everything that concerns
the job itself (its status, registries, result) is RQ's own, untouched.
"""

from __future__ import annotations

import time
from typing import Any

from rq.worker import SimpleWorker

EVERY_S = 1.0


class SluiceWorker(SimpleWorker):
    _next_heartbeat = 0.0
    _next_suspension_check = 0.0

    def heartbeat(self, timeout: int | None = None, pipeline: Any = None) -> None:
        if pipeline is not None or timeout is not None:
            return super().heartbeat(timeout, pipeline)
        moment = time.monotonic()
        if moment < self._next_heartbeat:
            return None
        self._next_heartbeat = moment + EVERY_S
        with self.connection.pipeline() as batch:
            super().heartbeat(None, batch)
            batch.execute()
        return None

    def check_for_suspension(self, burst: bool) -> None:
        moment = time.monotonic()
        if moment < self._next_suspension_check:
            return
        self._next_suspension_check = moment + EVERY_S
        super().check_for_suspension(burst)
