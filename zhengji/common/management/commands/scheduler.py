"""Enqueue the periodic jobs registered in common.registry.periodic_jobs when they fall due.

`make run` starts it beside the web server and the task worker. In production run one instance
of it (or call the same jobs from cron); the jobs themselves are idempotent, so a second
scheduler only does the work twice, never wrongly.
"""

from __future__ import annotations

import time

from django.core.management.base import BaseCommand

from zhengji.common.registry import periodic_jobs
from zhengji.common.tasks import run_job


class Command(BaseCommand):
    help = "Enqueue periodic jobs (upload cleanup, lost media processing) when due."

    def add_arguments(self, parser):
        parser.add_argument("--once", action="store_true", help="enqueue every job once and exit")
        parser.add_argument("--tick", type=float, default=30.0, help="seconds between checks")

    def handle(self, *args, once: bool = False, tick: float = 30.0, **options):
        jobs = periodic_jobs.jobs()
        due: dict[str, float] = {job.path: 0.0 for job in jobs}
        while True:
            now = time.monotonic()
            for job in jobs:
                if due[job.path] <= now:
                    result = run_job.enqueue(job.path)
                    self.stdout.write(f"enqueued {job.path} ({result.id})")
                    due[job.path] = now + job.interval
            if once:
                return
            try:
                time.sleep(tick)
            except KeyboardInterrupt:
                return
