"""Working days of a campaign (Asia/Shanghai), for the publicity period (公示期).

A day is a working day when it is Monday to Friday and not one of the campaign's listed public
holidays (`Holiday`, `workday=False`), or when the campaign lists it as a worked weekend day
(调休, `Holiday.workday=True`).

The rule for a period of `n` working days published at `start`:

- the publication day counts as day 1 when it is a working day and the results go up before
  12:00 (Shanghai time); published in the afternoon, on a weekend or on a holiday, the count
  starts with the next working day;
- the period ends at the last moment (23:59:59.999999, Shanghai time) of the n-th working day,
  and the public may object while `starts <= now < ends`.

Example: published on Friday 2026-10-09 at 10:00 with n = 5 → Fri 9, Mon 12, Tue 13, Wed 14,
Thu 15: the period ends on Thursday 2026-10-15 at 23:59:59.999999. Published the same Friday at
15:00 → Mon 12 … Fri 16.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from django.utils import timezone

from zhengji.campaigns.models import Campaign

from .models import Holiday

SHANGHAI = ZoneInfo("Asia/Shanghai")
NOON = dt.time(12, 0)
# More calendar days than this for n working days means the holiday list is wrong (a year of
# holidays); the search stops rather than loop.
MAX_SPAN_DAYS = 400


class Calendar:
    """The campaign's working-day calendar: its listed holidays and worked weekend days, read once."""

    def __init__(self, campaign: Campaign | None, since: dt.date | None = None) -> None:
        rows: list[tuple[dt.date, bool]] = []
        if campaign is not None:
            qs = Holiday.objects.filter(campaign=campaign)
            if since is not None:
                qs = qs.filter(date__gte=since)
            rows = list(qs.values_list("date", "workday"))
        self.off = {d for d, workday in rows if not workday}
        self.worked = {d for d, workday in rows if workday}

    def is_working_day(self, day: dt.date) -> bool:
        if day in self.worked:
            return True
        if day in self.off:
            return False
        return day.weekday() < 5


def local(moment: dt.datetime) -> dt.datetime:
    """The moment in Shanghai time (a naive datetime is taken as Shanghai time)."""
    if timezone.is_naive(moment):
        return moment.replace(tzinfo=SHANGHAI)
    return moment.astimezone(SHANGHAI)


def end_of_day(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time.max, tzinfo=SHANGHAI)


def first_counted_day(calendar: Calendar, start: dt.datetime) -> dt.date:
    """The day the count starts on: the publication day if it is a working day and the
    publication is before noon, else the next working day."""
    here = local(start)
    day = here.date()
    if calendar.is_working_day(day) and here.time() < NOON:
        return day
    day += dt.timedelta(days=1)
    for _ in range(MAX_SPAN_DAYS):
        if calendar.is_working_day(day):
            return day
        day += dt.timedelta(days=1)
    raise ValueError("no working day within a year")


def add_working_days(campaign: Campaign | None, start: dt.datetime, n: int) -> dt.datetime:
    """The end of a period of `n` working days (n >= 1) published at `start`: the last moment of
    the n-th working day in Shanghai time (see the module's rule)."""
    if n < 1:
        raise ValueError("n must be at least 1")
    calendar = Calendar(campaign, since=local(start).date())
    day = first_counted_day(calendar, start)
    counted = 1
    for _ in range(MAX_SPAN_DAYS):
        if counted == n:
            return end_of_day(day)
        day += dt.timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    raise ValueError("no end within a year")


def working_days_between(campaign: Campaign | None, first: dt.date, last: dt.date) -> int:
    """How many working days lie from `first` to `last`, both included (0 when `last` < `first`)."""
    if last < first:
        return 0
    calendar = Calendar(campaign, since=first)
    count = 0
    day = first
    while day <= last:
        count += calendar.is_working_day(day)
        day += dt.timedelta(days=1)
    return count


def working_days_left(campaign: Campaign | None, ends: dt.datetime, at: dt.datetime | None = None) -> int:
    """Working days of a period still to come at `at`, today included when it is one."""
    now = local(at or timezone.now())
    end = local(ends)
    if now >= end:
        return 0
    return working_days_between(campaign, now.date(), end.date())
