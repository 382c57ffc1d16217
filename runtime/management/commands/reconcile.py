import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from runtime.maintenance import checkpoint_wal
from runtime.reconciler import reconcile_once

CHECKPOINT_EVERY_S = 1.0


class Command(BaseCommand):
    help = "Re-enqueue executions that were never picked up or whose worker died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep sweeping")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        """With --loop: reconcile every `interval` seconds and, between, checkpoint SQLite's
        write-ahead log every second so that no request has to."""
        while True:
            close_old_connections()
            result = reconcile_once()
            if not options["loop"]:
                self.stdout.write(f"{result}")
                return
            next_sweep = time.monotonic() + options["interval"]
            while (left := next_sweep - time.monotonic()) > 0:
                time.sleep(min(left, CHECKPOINT_EVERY_S))
                close_old_connections()
                checkpoint_wal()
