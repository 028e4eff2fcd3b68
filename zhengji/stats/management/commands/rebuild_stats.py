"""Recompute the statistics tables from the entries (after a tree move, a restore, or to check)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from zhengji.stats.tally import rebuild


class Command(BaseCommand):
    help = "Rebuild the pre-aggregated statistics of every campaign (or of the given campaign ids)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("campaign", nargs="*", type=int, help="campaign ids (default: all)")

    def handle(self, *args: Any, **options: Any) -> None:
        written = rebuild(options["campaign"] or None)
        for table, n in sorted(written.items()):
            self.stdout.write(f"{table}: {n}")
        self.stdout.write(self.style.SUCCESS("Statistics rebuilt."))
