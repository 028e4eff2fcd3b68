"""Input is read one strict way (issue "Hardening", point 6): numbers in requests through
zhengji.common.numbers (not `str.isdigit()`, which takes "²"), and every JSON body through
zhengji.common.apitypes.InputSchema (checked in tests/api/test_contract.py)."""

from __future__ import annotations

import re
from pathlib import Path

SRC = Path(__file__).resolve().parents[2] / "zhengji"
LOOSE = re.compile(r"\.(isdigit|isdecimal|isnumeric)\(\)")


def test_no_loose_digit_checks_in_the_sources():
    found = [f"{path.relative_to(SRC)}:{n}" for path in SRC.rglob("*.py") if "migrations" not in path.parts
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1) if LOOSE.search(line)]
    assert not found, "use zhengji.common.numbers (parse_count / parse_id / is_ascii_digits): " + ", ".join(found)
