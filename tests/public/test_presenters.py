import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from tests import factories as f
from zhengji.campaigns.schema import FileRule
from zhengji.public import presenters

from .builders import campaign_with_tracks


@pytest.mark.parametrize(("rule", "zh", "en"), [
    (dict(kinds=["video"], extensions=["mp4"], max_size_mb=2048, max_duration_s=600, min_width=1280,
          min_height=720), "MP4，≤ 10 分钟，≤ 2 GB，≥ 720p", "MP4, ≤ 10 minutes, ≤ 2 GB, ≥ 720p"),
    (dict(kinds=["image"], extensions=["jpg", "png"], max_size_mb=20, min_width=1920, min_height=1080,
          max_count=9), "JPG/PNG，≤ 20 MB，≥ 1920×1080 像素，最多 9 个文件",
     "JPG/PNG, ≤ 20 MB, ≥ 1920×1080 pixels, up to 9 files"),
    (dict(kinds=["audio"], max_duration_s=90, min_duration_s=30, max_size_mb=1536),
     "音频，≥ 30 秒，≤ 90 秒，≤ 1.5 GB", "audio, ≥ 30 seconds, ≤ 90 seconds, ≤ 1.5 GB"),
    (dict(kinds=["image"], min_megapixels=2.5, min_count=3, max_count=6), "图片，≥ 250 万像素，3–6 个文件",
     "image, ≥ 2.5 megapixels, 3–6 files"),
])
def test_file_rule_words(rule, zh, en):
    r = FileRule.model_validate(rule)
    with translation.override("zh-hans"):
        assert presenters.file_rule_words(r) == zh
    with translation.override("en"):
        assert presenters.file_rule_words(r) == en


def test_entrant_words():
    with translation.override("zh-hans"):
        assert presenters.entrant_words(["individual", "team", "unit"]) == "个人，团队，单位"
    with translation.override("en"):
        assert presenters.entrant_words(["team"]) == "Teams"
    assert presenters.entrant_words(None) == ""


@pytest.mark.django_db
def test_timeline_states():
    tree = f.tongling_tree()
    c = f.campaign(tree["province"])
    steps = presenters.timeline(c, dt.date(2025, 10, 2))
    assert [s.state for s in steps] == ["done", "done", "current", "upcoming", "upcoming"]
    c.is_published = False  # a draft in preview is placed by its dates
    assert presenters.current_phase(c, dt.date(2025, 10, 2)) == "reviewing"
    assert c.is_published is False


@pytest.mark.django_db
def test_banner_image_is_shown_with_alt_text(client, settings):
    tree, c = campaign_with_tracks(1)
    buf = io.BytesIO()
    Image.new("RGB", (1200, 300), (183, 28, 28)).save(buf, "PNG")
    c.banner.save("banner.png", ContentFile(buf.getvalue()))
    page = client.get("/").content.decode()
    assert f'src="{c.banner.url}"' in page and f'alt="{c.name}"' in page


def test_hub_url_is_not_under_campaigns_manage():
    assert reverse("common:manage") == "/hub/"
    assert reverse("common:audit") == "/hub/audit/"
    assert reverse("public:home") == "/"
