"""The RQ side of timers: a scheduled job per armed timer, run by the worker's scheduler.

Only the fast path: the `Timer` row is the truth and the reconciler fires due timers whose job
Redis lost, so every Redis error here is logged and left to it.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable

import django_rq
from django.db import close_old_connections
from redis.exceptions import RedisError
from rq.exceptions import NoSuchJobError
from rq.job import Job

from runtime.jobs import QUEUE
from runtime.models import Timer

log = logging.getLogger("sluice.timers")


def job_id(timer_id: uuid.UUID | str) -> str:
    return f"sluice-timer-{timer_id}"


def schedule(timers: Iterable[Timer]) -> None:
    """One scheduled job per timer, with a fixed id so scheduling again replaces it."""
    queue = django_rq.get_queue(QUEUE)
    for timer in timers:
        try:
            queue.enqueue_at(
                timer.due_at, fire_timer_job, str(timer.pk), job_id=job_id(timer.pk), result_ttl=0
            )
        except RedisError:
            log.warning("could not schedule timer %s; the reconciler will fire it", timer.pk)


def unschedule(timer_ids: Iterable[uuid.UUID | str]) -> None:
    """Drop disarmed timers' jobs; one left behind only fires a no-op."""
    connection = django_rq.get_connection(QUEUE)
    for timer_id in timer_ids:
        try:
            Job.fetch(job_id(timer_id), connection=connection).delete()
        except (NoSuchJobError, RedisError):
            continue


def fire_timer_job(timer_id: str) -> None:
    """What the scheduler runs when a timer is due; firing is exactly-once, so repeats are
    harmless."""
    from runtime.timers import fire_timer

    close_old_connections()
    try:
        fire_timer(timer_id)
    finally:
        close_old_connections()
