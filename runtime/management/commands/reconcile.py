import time
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand
from django.db import close_old_connections

from runtime.reconciler import reconcile_once


class Command(BaseCommand):
    help = "Re-enqueue executions that were never picked up or whose worker died."

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--loop", action="store_true", help="keep sweeping")
        parser.add_argument("--interval", type=float, default=5.0)

    def handle(self, *args: Any, **options: Any) -> None:
        while True:
            close_old_connections()
            result = reconcile_once()
            if not options["loop"]:
                self.stdout.write(f"{result}")
                return
            time.sleep(options["interval"])
