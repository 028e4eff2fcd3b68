import pytest
from django.template.loader import render_to_string
from django.test import Client
from django.utils import translation

from tests import factories as f

from .builders import campaign_with_tracks

pytestmark = pytest.mark.django_db


def html(r) -> str:
    return r.content.decode()


def test_language_switch_keeps_the_page_and_switches_back(client):
    tree, c = campaign_with_tracks(3)
    page = html(client.get("/"))
    assert "皖美职工正能量" in page and "子项目" in page and 'lang="zh-CN"' in page
    r = client.post("/i18n/setlang/", {"language": "en", "next": f"/c/{c.slug}/t1/"})
    assert r.status_code == 302 and r["Location"] == f"/c/{c.slug}/t1/"
    page = html(client.get("/"))
    assert 'lang="en"' in page
    assert "Strive to be a Good Chinese Netizen" in page
    assert "Tracks" in page and "Host unit" in page and "Timeline" in page
    assert "Track 1" in page  # English content name
    assert "子项目" not in page
    # Content without an English version falls back to the Chinese original.
    assert "铜陵市总工会" in page
    r = client.post("/i18n/setlang/", {"language": "zh-hans", "next": "/"})
    assert r["Location"] == "/"
    page = html(client.get("/"))
    assert "皖美职工正能量" in page and "承办单位" in page and 'lang="zh-CN"' in page


def test_language_switch_form_points_back_to_current_page(client):
    tree, c = campaign_with_tracks(1)
    page = html(client.get(f"/c/{c.slug}/t1/?x=1"))
    assert f'name="next" type="hidden" value="/c/{c.slug}/t1/?x=1"' in page


def test_404_page_is_translated(client):
    r = client.get("/c/no-such-campaign/")
    assert r.status_code == 404
    assert "页面不存在" in html(r) and "返回首页" in html(r)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    r = client.get("/c/no-such-campaign/")
    assert r.status_code == 404
    assert "Page not found" in html(r)


def test_403_page_is_translated(client):
    client.force_login(f.user())
    r = client.get("/hub/")
    assert r.status_code == 403
    assert "无权访问" in html(r)


def test_500_and_400_templates_render_without_context():
    with translation.override("zh-hans"):
        out = render_to_string("500.html")
        assert "出错了" in out
        assert "请求有误" in render_to_string("400.html")
    with translation.override("en"):
        assert "Something went wrong" in render_to_string("500.html")


def test_csrf_failure_page_is_translated(db):
    strict = Client(enforce_csrf_checks=True)
    r = strict.post("/i18n/setlang/", {"language": "en"})
    assert r.status_code == 403
    assert "表单已失效" in html(r)


def test_base_layout_is_accessible(client):
    campaign_with_tracks(1)
    page = html(client.get("/"))
    assert 'href="#main"' in page and '<main id="main"' in page
    assert "<header>" in page and "<footer" in page and 'aria-label="主导航"' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page


def test_manage_link_only_for_staff(client):
    tree, c = campaign_with_tracks(1)
    client.force_login(f.user())
    assert 'href="/hub/"' not in html(client.get("/"))
    client.force_login(f.unit_admin(tree["yian"]))
    assert 'href="/hub/"' in html(client.get("/"))
