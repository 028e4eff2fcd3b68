"""Build a province-scale data set (see zhengji.demo.scale): `manage.py load_scale --orgs 20000
--entries 100000 --seed 1`. Refuses a database holding organisations or entries unless --force."""

import time

from django.core.management.base import BaseCommand, CommandError

from zhengji.demo.scale import PASSWORD, ScaleError, build_scale, digest


class Command(BaseCommand):
    help = "Build a deterministic province-scale data set (organisations, people, a campaign, entries in the chain)."

    def add_arguments(self, parser):
        parser.add_argument("--orgs", type=int, default=20000, help="organisations in all (default 20000)")
        parser.add_argument("--entries", type=int, default=100000, help="entries (default 100000)")
        parser.add_argument("--seed", type=int, default=1, help="the same seed gives the same data (default 1)")
        parser.add_argument("--force", action="store_true",
                            help="add the data beside organisations or entries already in the database")
        parser.add_argument("--digest", action="store_true", dest="show_digest",
                            help="print a hash of the data set built (equal for equal seeds)")

    def handle(self, *args, orgs, entries, seed, force, show_digest=False, **options):
        started = time.monotonic()
        try:
            result = build_scale(orgs=orgs, entries=entries, seed=seed, force=force, log=self.stdout.write)
        except ScaleError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(f"Built {result.counts['organisations']} organisations and {entries} entries in "
                          f"{time.monotonic() - started:.1f} s: campaign “{result.campaign.name}” "
                          f"(/campaigns/{result.campaign.slug}/).")
        self.stdout.write(f"Province admin: {result.admin_username} / {PASSWORD}")
        if show_digest:
            self.stdout.write(f"digest {digest(result.campaign)}")
