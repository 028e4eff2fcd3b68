"""A back-dated clock for loading the demo's sample entries, and for nothing else.

The 2025 sample entries must be created and submitted through the entries domain functions (so
numbers, pledge records, audit rows and notifications are real), and those functions refuse to
act outside the collection period, which ended in September 2025. Rather than teach every domain
function an optional `now=` argument (and still get audit rows and `auto_now` fields stamped
with today's date, so an entry "submitted on 12 July 2025" would have an audit record of today),
the loader swaps Django's clock, `django.utils.timezone.now`, for the duration of one sample
entry. Everything that asks Django for the time then agrees: the campaign phase, the deadline
check, `created`/`updated`, `submitted_at`/`pledged_at`, the audit log and the storage path of
the originals.

Why this is acceptable here and nowhere else:
- it runs only in `load_demo`, a management command that runs before the server starts (in
  `make run`) in its own process; no request is served while the clock is moved;
- the original function is always restored (`finally`), also when loading fails;
- it only affects code that reads the time through `django.utils.timezone.now` (what our code
  and Django's model fields do); `time.time()` and `datetime.now()` are untouched.

`time_machine` would do the same more thoroughly, but it is a development dependency and
`make run` installs only the runtime packages.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Iterator
from contextlib import contextmanager

from django.utils import timezone


class DemoClock:
    """Django's clock set to `at`, ticking with real time so events keep their order."""

    def __init__(self, at: dt.datetime):
        self.set(at)

    def set(self, at: dt.datetime) -> None:
        if timezone.is_naive(at):
            raise ValueError("the demo clock needs an aware datetime")
        self._base = at.astimezone(dt.UTC)
        self._t0 = time.monotonic()

    def now(self) -> dt.datetime:
        return self._base + dt.timedelta(seconds=time.monotonic() - self._t0)


@contextmanager
def demo_clock(at: dt.datetime) -> Iterator[DemoClock]:
    """Within the block, `django.utils.timezone.now()` (and so `localdate()`, `auto_now`) tells
    the time from `at` on. Loader-only; see the module docstring."""
    clock = DemoClock(at)
    real_now = timezone.now
    timezone.now = clock.now
    try:
        yield clock
    finally:
        timezone.now = real_now
