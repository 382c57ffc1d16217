from django.core.management.base import BaseCommand

from designer.demo import load_demo


class Command(BaseCommand):
    help = "Create and publish the demo flows and their screens (idempotent)."

    def handle(self, *args: object, **options: object) -> None:
        created = load_demo()
        self.stdout.write(f"demo flows created: {', '.join(created) or 'none (already there)'}")
