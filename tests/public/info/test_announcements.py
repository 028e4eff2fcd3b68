"""Announcements on the campaign home and their own page: scheduled, pinned, images and
attachments written in the editor (through the site's storage), sanitised."""

import datetime as dt

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests import factories as f
from tests.entries.builders import png_bytes
from tests.public.builders import announcement, campaign_with_tracks
from zhengji.campaigns import richfiles
from zhengji.campaigns.roles import CampaignRole

pytestmark = pytest.mark.django_db


def test_scheduled_announcement_hidden_before_its_time(client):
    tree, c = campaign_with_tracks(1)
    a = announcement(c, "定时发布的公告", days_ago=-3 / 24)  # in three hours
    at = a.publish_at
    assert "定时发布的公告" not in client.get("/").content.decode()
    assert client.get(f"/c/{c.slug}/news/{a.pk}/").status_code == 404
    assert "定时发布的公告" not in client.get(f"/c/{c.slug}/news/").content.decode()
    with time_machine.travel(at + dt.timedelta(minutes=1)):
        assert "定时发布的公告" in client.get("/").content.decode()
        assert client.get(f"/c/{c.slug}/news/{a.pk}/").status_code == 200
        assert "定时发布的公告" in client.get(f"/c/{c.slug}/news/").content.decode()


def test_pinned_first_then_newest(client):
    tree, c = campaign_with_tracks(1)
    announcement(c, "旧公告", days_ago=5)
    announcement(c, "新公告", days_ago=1)
    announcement(c, "置顶公告", days_ago=9, pinned=True)
    for url in ("/", f"/c/{c.slug}/news/"):
        page = client.get(url).content.decode()
        assert page.index("置顶公告") < page.index("新公告") < page.index("旧公告")


def _stored(admin, c, name, content, kind):
    return richfiles.store_richtext_file(admin, c, SimpleUploadedFile(name, content), kind=kind)


def test_images_and_attachments_from_the_editor(client, settings):
    tree, c = campaign_with_tracks(1)
    admin = f.user()
    f.grant(admin, CampaignRole.CAMPAIGN_ADMIN, campaign=c)
    img = _stored(admin, c, "海报.png", png_bytes(), "image")
    pdf = _stored(admin, c, "报名表.pdf", b"%PDF-1.4\n%%EOF\n", "file")
    body = (f'<p>活动海报：<img src="{img.url}" alt="活动海报"></p>'
            f'<p>下载<a href="{pdf.url}">报名表.pdf</a>，或见<a href="https://www.acftu.org/">全总网站</a>。</p>'
            '<p><img src="https://tracker.example.com/pixel.gif" alt="x"><img src="x" onerror="alert(1)">'
            '<script>alert(2)</script></p>')
    a = announcement(c, "征集公告", body=body)
    page = client.get(f"/c/{c.slug}/news/{a.pk}/").content.decode()
    assert f'<img src="{img.url}" alt="活动海报" loading="lazy" class="img-fluid rounded">' in page
    assert "tracker.example.com" not in page and "onerror" not in page and "alert(" not in page
    assert f'href="{pdf.url}"' in page and 'class="zj-attachment"' in page
    assert 'id="attachments"' in page and "报名表.pdf" in page and ">PDF<" in page
    assert 'href="https://www.acftu.org/" rel="noopener noreferrer"' in page
    # The stored files are served by the site to anyone.
    assert client.get(img.url).status_code == 200
    r = client.get(pdf.url)
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    # The first picture is the one shared.
    assert f'<meta property="og:image" content="{settings.SITE_URL}{img.url}">' in page


def test_comment_thread_is_included(client, settings):
    tree, c = campaign_with_tracks(1)
    a = announcement(c, "带评论的公告")
    r = client.get(f"/c/{c.slug}/news/{a.pk}/")
    assert "public/comments/_thread.html" in [t.name for t in r.templates]
    assert r.context["announcement"] == a


def test_plain_text_body_still_paragraphs(client):
    tree, c = campaign_with_tracks(1)
    a = announcement(c, "纯文本", body="第一行\n第二行 1<2")
    assert "<p>第一行<br>第二行 1&lt;2</p>" in client.get(f"/c/{c.slug}/news/{a.pk}/").content.decode()


def test_announcement_of_another_campaign_is_404(client):
    tree, c = campaign_with_tracks(1)
    other = f.campaign(tree["province"], name="别的活动")
    a = announcement(other, "别处的公告")
    assert client.get(f"/c/{c.slug}/news/{a.pk}/").status_code == 404
    assert client.post(f"/c/{other.slug}/news/{a.pk}/").status_code == 405


