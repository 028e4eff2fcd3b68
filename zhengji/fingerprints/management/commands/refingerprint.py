"""Compute the fingerprints of stored media again (docs/fingerprints.md: after an engine change,
e.g. video frames' centre hashes, which a video fingerprinted before has not)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandParser

from zhengji.fingerprints.tasks import refingerprint


class Command(BaseCommand):
    help = "Fingerprint READY media again (of one kind, or all): queued, or here with --now."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--kind", choices=["image", "video", "audio", "document"], default=None)
        parser.add_argument("--now", action="store_true", help="compute here, one file after another")

    def handle(self, *args: Any, **options: Any) -> None:
        done = refingerprint(options["kind"], now=options["now"])
        self.stdout.write(f"{'fingerprinted' if options['now'] else 'queued'} {done} media")
