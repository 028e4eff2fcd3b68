"""Load the demo campaign, organisation tree and accounts (idempotent; see zhengji.common.demo)."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhengji.common.demo.loader import load_demo


class Command(BaseCommand):
    help = "Load the 2025 demo campaign, the Anhui organisation tree and one account per role (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Load even with DEBUG off (the demo accounts have a published password).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: this looks like production, and the demo accounts have a published "
                               "password. Use --force to load the demo anyway.")
        report = load_demo()
        if not report.changed_anything:
            self.stdout.write("Demo data already loaded; nothing changed.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                self.stdout.write(f"Demo data {label}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
