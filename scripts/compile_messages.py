"""Compile every .po under zhengji/ to .mo (gettext's msgfmt via Django)."""

import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")

import django  # noqa: E402
from django.core.management import call_command  # noqa: E402

django.setup()
root = Path(__file__).resolve().parent.parent / "zhengji"
os.chdir(root)
call_command("compilemessages", verbosity=0, ignore=["node_modules", ".venv"])
