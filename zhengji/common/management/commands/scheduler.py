"""Enqueue the periodic jobs of settings.PERIODIC_JOBS when they fall due.

`make run` starts it beside the web server and the task worker. In production run one instance
of it (or call the same jobs from cron); the jobs themselves are idempotent, so a second
scheduler only does the work twice, never wrongly.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand

from zhengji.common.tasks import run_job


class Command(BaseCommand):
    help = "Enqueue periodic jobs (upload cleanup, lost media processing) when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, once: bool = False, tick: float = 30.0, **options):
        due: dict[str, float] = {path: 0.0 for path, _interval in settings.PERIODIC_JOBS}
        while True:
            now = time.monotonic()
            for path, interval in settings.PERIODIC_JOBS:
                if due[path] <= now:
                    result = run_job.enqueue(path)
                    self.stdout.write(f"enqueued {path} ({result.id})")
                    due[path] = now + interval
            if once:
                return
            try:
                time.sleep(tick)
            except KeyboardInterrupt:
                return
