"""Under ASGI, Django's per-request signal receivers cost a thread each and do nothing.

`request_started` and `request_finished` carry sync receivers (close old database connections,
reset the query log, close caches, reset the URLconf). The ASGI handler sends them with
`asend`, which runs each through a thread-sensitive `sync_to_async`: a new thread for every
request, plus another to join it (~10% of a bare request). Those receivers act on the calling
thread's own connections and locals, and that thread is new, so they find nothing to do. Our
async views run database work in the loop's executor threads, which keep their connections
and call `close_old_connections` before each unit of work instead (see `runtime.api`).
"""

from __future__ import annotations

from django.core import signals
from django.core.cache import close_caches
from django.core.handlers.base import reset_urlconf
from django.db import close_old_connections, reset_queries


def drop_thread_bound_receivers() -> None:
    """Called by the ASGI application only: WSGI and management commands keep them."""
    signals.request_started.disconnect(reset_queries)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_caches)
    signals.request_finished.disconnect(reset_urlconf)
