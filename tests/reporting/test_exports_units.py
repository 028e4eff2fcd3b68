"""Small rules of the exports: range parsing, names, the media text, who sees phones, a stored
file shorter than recorded, the host's lists for a superuser, the background render of a gone
entry."""

from __future__ import annotations

import io

import pytest
from django.contrib.auth.models import AnonymousUser

from tests import factories as f
from zhengji.reporting import host
from zhengji.reporting.documents import media_text, sees_phone
from zhengji.reporting.package import _unique
from zhengji.reporting.tasks import render_host_forms
from zhengji.reporting.zipper import Member, RangeNotSatisfiable, ZipPlan, parse_range


@pytest.mark.parametrize(("header", "expected"), [
    ("", None), ("bytes=0-9", (0, 10)), ("bytes=5-", (5, 100)), ("bytes=-10", (90, 100)),
    ("bytes=-500", (0, 100)), ("bytes=90-500", (90, 100)), ("bytes=9-3", None), ("bytes=a-b", None),
    ("bytes=5", None), ("bytes=0-1,4-5", None), ("items=0-1", None),
])
def test_parse_range(header, expected):
    assert parse_range(header, 100) == expected


@pytest.mark.parametrize("header", ["bytes=100-", "bytes=150-200", "bytes=-0"])
def test_unsatisfiable(header):
    with pytest.raises(RangeNotSatisfiable):
        parse_range(header, 100)


def test_unique_names():
    taken: set[str] = set()
    assert [_unique(n, taken) for n in ("a.png", "A.png", "a.png", "notes", "notes")] == \
        ["a.png", "A (2).png", "a (3).png", "notes", "notes (2)"]


def test_media_text():
    assert media_text([]) == "无文件"
    assert media_text([(1024 * 1024, 3725.0), (0, None)]) == "2 个文件，1.0\xa0MB，时长 1:02:05"
    assert media_text([(10, 65.0)]).endswith("时长 1:05")


def test_short_stored_file_breaks_the_stream():
    m = Member("a.bin", 10, 10, (2026, 1, 1, 0, 0, 0), lambda: io.BytesIO(b"12345"))
    with pytest.raises(OSError, match="shorter"):
        b"".join(ZipPlan([m]).stream())


@pytest.mark.django_db
def test_phone_readers_and_superuser_lists(rw):
    e = rw.submitted()
    assert not sees_phone(None, e) and not sees_phone(AnonymousUser(), e)
    assert sees_phone(rw.ya1_admin, e) and sees_phone(rw.city_admin, e) and not sees_phone(rw.jiao_admin, e)
    root = f.user(is_superuser=True)
    assert sees_phone(root, e)
    assert set(host.hosted_tracks(root)) == {rw.track, rw.other_track}
    assert not host.hosted_tracks(AnonymousUser()).exists()
    assert host.hosted_track(rw.host_staff, 10**9) is None
    assert not host.host_entries(AnonymousUser(), rw.track).exists()
    assert not host.host_entries(root, rw.track, host.HostFilters(city=10**9)).exists()


@pytest.mark.django_db
def test_render_task_for_a_gone_entry():
    assert render_host_forms.call(10**9) == "gone"
