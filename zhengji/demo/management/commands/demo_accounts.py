"""Print the demo accounts: role, login, password, scope."""

import unicodedata

from django.core.management.base import BaseCommand

from zhengji.demo.accounts import ACCOUNTS, DEMO_PASSWORD, scope_label
from zhengji.demo.campaign import LIVE_SLUG


class Command(BaseCommand):
    help = "Print the table of demo accounts (role, login phone/username, password, scope)."

    def add_arguments(self, parser):
        parser.add_argument("--live", action="store_true",
                            help="The demo was loaded with --live: campaign and track roles cover the live copy too.")

    def handle(self, *args, **options):
        rows = [("Role / 角色", "Username", "Phone", "Password", "Scope / 范围")]
        for a in ACCOUNTS:
            rows.append((f"{a['label_en']} / {a['label']}", a["username"], a["phone"], DEMO_PASSWORD,
                         scope_label(a["scope"], options["live"])))
        widths = [max(_width(r[i]) for r in rows) for i in range(len(rows[0]))]
        line = "+" + "+".join("-" * (w + 2) for w in widths) + "+"
        out = [line]
        for n, r in enumerate(rows):
            out.append("| " + " | ".join(c + " " * (w - _width(c)) for c, w in zip(r, widths, strict=True)) + " |")
            if n == 0:
                out.append(line)
        out.append(line)
        self.stdout.write("Demo accounts (log in with the phone number or the username; demo only):")
        self.stdout.write("\n".join(out))
        if options["live"]:
            self.stdout.write(f"Live copy (collection open today): /c/{LIVE_SLUG}/ ; the 2025 campaign: "
                              "/c/good-netizen-2025/ ; all campaigns: /campaigns/")


def _width(text: str) -> int:
    """Display width: CJK characters take two columns in a terminal."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
