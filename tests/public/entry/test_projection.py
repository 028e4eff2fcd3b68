"""Unit tests of the entry page projection's rules (no page rendering)."""

from __future__ import annotations

import pytest

from zhengji.campaigns.schema import FieldDef
from zhengji.common.registry import PublicAward, public_awards
from zhengji.public import entry_page

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("text,expected", [
    ("电话 13987654321。", "电话 139****4321。"),
    ("139-8765-4321", "139****4321"),
    ("身份证 34070219800101123X", "身份证 340702********123X"),
    ("编号 20250101 与 2025 年", "编号 20250101 与 2025 年"),  # short numbers stay
    ("订单 123139876543219", "订单 123139876543219"),  # a mobile inside a longer number is not one
])
def test_mask_numbers(text, expected):
    assert entry_page.mask_numbers(text) == expected


@pytest.mark.parametrize("field,public", [
    ({"key": "caption", "type": "longtext", "label": "创作说明"}, True),
    ({"key": "name", "type": "text", "label": "作者姓名", "identifying": True}, False),
    ({"key": "tel", "type": "text", "label": "Tel"}, False),
    ({"key": "x1", "type": "text", "label": "联系方式"}, False),
    ({"key": "x2", "type": "text", "label": "手机号码"}, False),
    ({"key": "mail", "type": "text", "label": "Mail", "label_en": "E-mail"}, False),
    ({"key": "home", "type": "text", "label": "家庭住址"}, False),
    ({"key": "idno", "type": "text", "label": "身份证号"}, False),
    ({"key": "place", "type": "text", "label": "拍摄地点"}, True),
])
def test_public_fields(field, public):
    assert entry_page.is_public_field(FieldDef.model_validate(field)) is public


def test_award_badge_when_the_results_are_public(client, world):
    e = world.entry()
    public_awards.register("test-awards", lambda track_ids: {e.pk: PublicAward(e.pk, 1, "一等奖", 1)})
    try:
        html = client.get(f"/w/{e.pk}/").content.decode()
        assert 'id="entry-award"' in html and "一等奖" in html
        assert client.get(f"/api/public/entries/{e.pk}").json()["award"] == {"label": "一等奖", "order": 1}
    finally:
        public_awards.unregister("test-awards")
    assert 'id="entry-award"' not in client.get(f"/w/{e.pk}/").content.decode()
