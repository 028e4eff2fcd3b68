"""Compile every .po under zhengji/ to .mo (gettext's msgfmt via Django)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402

root = Path(__file__).resolve().parent.parent / "zhengji"
# compilemessages refuses to run when it finds no locale directory at all (a fresh tree).
if not any(root.rglob("*.po")):
    print("No message catalogues (.po) found; nothing to compile.")
    sys.exit(0)
django.setup()
os.chdir(root)
call_command("compilemessages", verbosity=0, ignore=["node_modules", ".venv"])
