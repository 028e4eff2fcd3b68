"""Working days of the publicity period: weekends, a listed holiday, a worked weekend day (调休),
the noon rule for the publication day; dates computed by hand."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests import factories as f
from tests.entries.builders import campaign_now
from zhengji.review.models import Holiday
from zhengji.review.workdays import Calendar, add_working_days, working_days_between

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, h=10, mi=0):
    return dt.datetime(y, m, d, h, mi, tzinfo=SH)


def last_moment(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SH)


@pytest.fixture
def campaign():
    return campaign_now(f.org("安徽省总工会", "province", code="AH"))


def test_morning_publication_counts_the_day_and_skips_the_weekend(campaign):
    # Fri 2026-10-09 10:00: Fri 9, Mon 12, Tue 13, Wed 14, Thu 15.
    assert add_working_days(campaign, at(2026, 10, 9, 10), 5) == last_moment(2026, 10, 15)


def test_afternoon_publication_starts_the_next_working_day(campaign):
    # Fri 2026-10-09 15:00: Mon 12 … Fri 16.
    assert add_working_days(campaign, at(2026, 10, 9, 15), 5) == last_moment(2026, 10, 16)
    # Exactly noon is the afternoon.
    assert add_working_days(campaign, at(2026, 10, 9, 12, 0), 1) == last_moment(2026, 10, 12)
    assert add_working_days(campaign, at(2026, 10, 9, 11, 59), 1) == last_moment(2026, 10, 9)


def test_weekend_publication_starts_on_monday(campaign):
    # Sat 2026-10-10 09:00: Mon 12 … Fri 16.
    assert add_working_days(campaign, at(2026, 10, 10, 9), 5) == last_moment(2026, 10, 16)


def test_a_listed_holiday_is_skipped(campaign):
    # Mon 2026-10-12 is listed as a holiday: Fri 9, Tue 13, Wed 14, Thu 15, Fri 16.
    Holiday.objects.create(campaign=campaign, date=dt.date(2026, 10, 12), name="假日")
    assert add_working_days(campaign, at(2026, 10, 9, 10), 5) == last_moment(2026, 10, 16)


def test_national_day_week_with_a_worked_saturday(campaign):
    # 2026 National Day: Thu 1 – Wed 7 October off (Mon 5 – Wed 7 listed; 1–2 are Thu/Fri),
    # Sat 10 October worked (调休). Published Wed 2026-09-30 at 09:00 with n = 5:
    # Wed 30 Sep, Thu 8, Fri 9, Sat 10 (调休), Mon 12.
    for d in range(1, 8):
        Holiday.objects.create(campaign=campaign, date=dt.date(2026, 10, d), name="国庆节")
    Holiday.objects.create(campaign=campaign, date=dt.date(2026, 10, 10), name="国庆调休", workday=True)
    assert add_working_days(campaign, at(2026, 9, 30, 9), 5) == last_moment(2026, 10, 12)
    # Published on the worked Saturday morning: the day counts.
    assert add_working_days(campaign, at(2026, 10, 10, 9), 1) == last_moment(2026, 10, 10)
    assert working_days_between(campaign, dt.date(2026, 9, 28), dt.date(2026, 10, 11)) == 3 + 3
    # Mon 28, Tue 29, Wed 30; Thu 8, Fri 9, Sat 10.


def test_holidays_of_another_campaign_do_not_count(campaign):
    other = campaign_now(campaign.org, slug="other")
    Holiday.objects.create(campaign=other, date=dt.date(2026, 10, 12))
    assert add_working_days(campaign, at(2026, 10, 9, 10), 2) == last_moment(2026, 10, 12)


def test_a_utc_start_is_read_in_shanghai_time(campaign):
    # 2026-10-09 03:00 UTC is 11:00 in Shanghai: Friday counts.
    start = dt.datetime(2026, 10, 9, 3, 0, tzinfo=dt.UTC)
    assert add_working_days(campaign, start, 1) == last_moment(2026, 10, 9)
    # 2026-10-09 05:00 UTC is 13:00: Monday.
    assert add_working_days(campaign, start + dt.timedelta(hours=2), 1) == last_moment(2026, 10, 12)


def test_between_is_inclusive_and_empty_backwards(campaign):
    assert working_days_between(campaign, dt.date(2026, 10, 9), dt.date(2026, 10, 9)) == 1
    assert working_days_between(campaign, dt.date(2026, 10, 10), dt.date(2026, 10, 11)) == 0
    assert working_days_between(campaign, dt.date(2026, 10, 12), dt.date(2026, 10, 9)) == 0
    with pytest.raises(ValueError):
        add_working_days(campaign, at(2026, 10, 9), 0)


@settings(max_examples=60, deadline=None)
@given(start=st.datetimes(min_value=dt.datetime(2026, 1, 1), max_value=dt.datetime(2027, 12, 31)),
       n=st.integers(min_value=1, max_value=30))
def test_the_period_holds_exactly_n_working_days(start, n):
    # No campaign: weekends only. The period [first counted day, end] holds n working days, ends
    # on one, and the end is the last moment of a day.
    start = start.replace(tzinfo=SH)
    end = add_working_days(None, start, n)
    cal = Calendar(None)
    first = start.date() if (start.weekday() < 5 and start.hour < 12) else start.date() + dt.timedelta(days=1)
    assert working_days_between(None, first, end.date()) == n
    assert cal.is_working_day(end.date())
    assert end.time() == dt.time.max
    assert end > start
