from typing import Any

from django.core.management.base import BaseCommand

from runtime.journal import file_journals


class Command(BaseCommand):
    help = (
        "File the steps pure runs keep in their execution's journal as Step rows, for SQL "
        "reports over the step table (the API, the websocket and the admin read journals as "
        "they are)."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(f"filed the journals of {file_journals()} execution(s)")
