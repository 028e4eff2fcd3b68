"""Load the demo campaign, organisation tree and accounts (idempotent; see zhengji.common.demo)."""

from django.core.management.base import BaseCommand

from zhengji.common.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the 2025 demo campaign, the Anhui organisation tree and one account per role (idempotent)."

    def handle(self, *args, **options):
        report = load_demo()
        if not report.changed_anything:
            self.stdout.write("Demo data already loaded; nothing changed.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                self.stdout.write(f"Demo data {label}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
