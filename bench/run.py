#!/usr/bin/env python3
"""`make bench`: run every bench/*_bench.py in turn with this interpreter; non-zero if any fails."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    only = sys.argv[1:]
    failed = []
    for script in sorted(HERE.glob("*_bench.py")):
        if only and script.stem not in only and script.name not in only:
            continue
        print(f"== {script.name} ==", flush=True)
        rc = subprocess.call([sys.executable, str(script)], cwd=HERE.parent)
        if rc:
            failed.append(script.name)
    if failed:
        print("failed:", ", ".join(failed))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
