"""Load the demo campaign, organisation tree, accounts and sample entries (idempotent; see
zhengji.demo). With --live, also a copy of the campaign whose collection is open today."""

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from zhengji.demo.loader import load_demo


class Command(BaseCommand):
    help = ("Load the 2025 demo campaign with sample entries, the Anhui organisation tree and one account per "
            "role (idempotent). --live adds a copy of the campaign whose collection is open today.")

    def add_arguments(self, parser):
        parser.add_argument("--force", action="store_true",
                            help="Load even with DEBUG off (the demo accounts have a published password).")
        parser.add_argument("--live", action="store_true",
                            help="Also load the live copy of the campaign: the same ten tracks with collection "
                                 "open from 30 days ago to 60 days ahead (dates realigned on every run).")
        parser.add_argument("--no-samples", action="store_true",
                            help="Skip the sample entries (their files are generated with Pillow, ffmpeg and "
                                 "espeak-ng).")

    def handle(self, *args, **options):
        if not settings.DEBUG and not options["force"]:
            raise CommandError("DEBUG is off: this looks like production, and the demo accounts have a published "
                               "password. Use --force to load the demo anyway.")
        started = time.monotonic()
        report = load_demo(live=options["live"], samples=not options["no_samples"])
        if not report.changed_anything:
            self.stdout.write("Demo data already loaded; nothing changed.")
            return
        for label, counts in (("created", report.created), ("updated", report.updated)):
            if counts:
                self.stdout.write(f"Demo data {label}: " + ", ".join(f"{n} {k}" for k, n in counts.items()))
        self.stdout.write(f"({time.monotonic() - started:.1f} s)")
        if report.created.get("media files"):
            self.stdout.write("The sample files are processed (thumbnails, previews) by the task worker.")
