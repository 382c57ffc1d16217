"""Database work for async views, off the event loop.

Django's own async ORM calls (`afirst`, `auser`) are thread-sensitive: under ASGI each request
gets a new thread, so a new database connection per request. Here the work runs in the loop's
executor threads instead, which keep their connections (CONN_MAX_AGE) and drop stale ones
before each unit of work. A view entered from sync code (WSGI, Django's test client) has a
thread of its own waiting above it, and the work goes back to that thread, as Django's does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from asgiref.sync import AsyncToSync, sync_to_async

from designer.connections import fresh_connections

P = ParamSpec("P")
R = TypeVar("R")


def _fresh(fn: Callable[P, R]) -> Callable[P, R]:
    def run(*args: P.args, **kwargs: P.kwargs) -> R:
        fresh_connections()
        return fn(*args, **kwargs)

    return run


async def in_thread(fn: Callable[P, R], *args: P.args, **kwargs: P.kwargs) -> R:
    """`fn(*args, **kwargs)` in an executor thread, with its connections checked first."""
    if getattr(AsyncToSync.executors, "current", None) is not None:
        return await sync_to_async(fn, thread_sensitive=True)(*args, **kwargs)
    return await sync_to_async(_fresh(fn), thread_sensitive=False)(*args, **kwargs)
