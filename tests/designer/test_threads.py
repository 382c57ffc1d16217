"""in_thread: database work of async views goes to the loop's executor threads under ASGI, and
back to the waiting thread when a sync caller (WSGI, the test client) is above it."""

from __future__ import annotations

import asyncio
import threading

from asgiref.sync import async_to_sync

from designer.api.threads import in_thread


def test_under_asgi_the_work_runs_off_the_loop_thread() -> None:
    async def view() -> tuple[int, int]:
        return threading.get_ident(), await in_thread(threading.get_ident)

    loop_thread, worker_thread = asyncio.run(view())
    assert worker_thread != loop_thread


def test_below_a_sync_caller_the_work_goes_back_to_its_thread() -> None:
    async def view() -> int:
        return await in_thread(threading.get_ident)

    assert async_to_sync(view)() == threading.get_ident()
