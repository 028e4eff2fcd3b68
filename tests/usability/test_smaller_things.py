"""Issue 8, point 10: the smaller things a user notices. One test (or a few) per item; each fails
without its fix. The browser side (computed colours, heading sizes) is in
tests/browser/test_usability_walk.py."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from tests import factories as f
from zhengji.accounts import roles
from zhengji.common import sms
from zhengji.common.errors import DomainError
from zhengji.common.i18n import mask_phone
from zhengji.demo import accounts as demo_accounts
from zhengji.demo import campaign as demo_campaign
from zhengji.media.filerules import FileRule, megapixels_words
from zhengji.media.processing.validation import _resolution_errors
from zhengji.orgs import membership
from zhengji.orgs.models import Membership
from zhengji.public import presenters

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SITE_CSS = ROOT / "zhengji" / "static" / "css" / "site.css"


def english(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


# --- one megapixel wording ---------------------------------------------------------------------

def test_megapixels_one_wording_on_the_track_page_and_in_the_refusal():
    rule = FileRule.model_validate({"kinds": ["image"], "min_megapixels": 3})
    with translation.override("zh-hans"):
        assert megapixels_words(3) == "300 万像素"
        assert "≥ 300 万像素" in presenters.file_rule_words(rule)
        (refusal,) = _resolution_errors(800, 750, rule, "图片")  # 0.6 megapixels
        assert refusal == "图片只有 60 万像素，低于要求的 300 万像素"
        assert "MP" not in refusal and "百万像素" not in presenters.file_rule_words(rule)
    with translation.override("en"):
        assert "≥ 3 megapixels" in presenters.file_rule_words(rule)
        assert "0.6 megapixels" in _resolution_errors(800, 750, rule, "image")[0]
        assert megapixels_words(1) == "1 megapixel"
    # The demo's own texts use the same wording.
    photography = next(t for t in demo_campaign.track_rows() if t["slug"] == "photography")
    assert "不低于 300 万像素" in photography["rules"] and "300万像素" not in photography["rules"]


# --- the photography rules: no repeated summary, headings below the section's --------------------

def test_demo_rules_do_not_repeat_the_track_description():
    for t in demo_campaign.track_rows():
        assert t["description"][:20] not in t["rules"], t["slug"]
        assert t["description_en"][:20] not in t["rules_en"], t["slug"]
        assert t["rules"].count("<h3>") == 1


def test_rich_text_headings_are_smaller_than_the_section_heading():
    css = SITE_CSS.read_text()
    rule = re.search(r"\.rich-text h1, \.rich-text h2, \.rich-text h3 \{([^}]*)\}", css)
    assert rule is not None
    size = float(re.search(r"font-size:\s*([\d.]+)rem", rule.group(1)).group(1))
    assert size < 1.25  # the section headings are h2.h5: 1.25rem


# --- the personal centre: staff sections for staff only -----------------------------------------

def test_worker_centre_has_no_staff_sections(client, world):
    client.force_login(world.worker)
    html = client.get(reverse("accounts:centre")).content.decode()
    assert 'id="h-tokens"' not in html and 'id="h-2fa"' not in html
    assert 'id="h-profile"' in html and 'id="h-org"' in html


def test_staff_centre_keeps_tokens_and_two_factor(client, world):
    client.force_login(world.yian_admin)
    html = client.get(reverse("accounts:centre")).content.decode()
    assert 'id="h-tokens"' in html and 'id="h-2fa"' in html


# --- the join search: a federation level is not a grassroots union ------------------------------

def test_join_search_says_the_district_federation_is_not_a_grassroots_union(client, tree):
    client.force_login(f.user())
    html = client.get(reverse("join:search"), {"q": "义安区"}, HTTP_HX_REQUEST="true").content.decode()
    rows = html.split('<li class="list-group-item')[1:]
    federation = [r for r in rows if "义安区总工会</span>" in r]
    assert len(federation) == 1 and 'name="org"' not in federation[0] and "不是基层工会" in federation[0]
    assert sum('name="org"' in r for r in rows) == 2  # the two grassroots unions under it


def test_joining_a_federation_level_is_refused(client, tree):
    u = f.user()
    with pytest.raises(DomainError) as exc:
        membership.join_org(u, tree["yian"])
    assert exc.value.code == "not_grassroots"
    client.force_login(u)
    r = client.post(reverse("join:index"), {"org": tree["yian"].pk})
    assert r.status_code == 400 and not Membership.objects.filter(user=u).exists()
    assert membership.join_org(u, tree["ya1"]).org == tree["ya1"]


# --- the tree: each node shows its subtree's total, as its page does ------------------------------

def test_tree_root_shows_the_subtree_total_like_its_detail_page(client, tree):
    client.force_login(f.unit_admin(tree["yian"]))
    index = client.get(reverse("orgs:index")).content.decode()
    root = index.split(f'id="org-{tree["yian"].pk}"')[1]
    assert "会员共 200 人" in root.split("</summary>")[0]  # 120 + 80 in its two unions; its own is 0
    detail = client.get(reverse("orgs:detail", args=[tree["yian"].pk])).content.decode()
    assert re.search(r"会员总数</dt><dd[^>]*>200</dd>", detail)
    children = client.get(reverse("orgs:children", args=[tree["yian"].pk])).content.decode()
    assert "会员共 120 人" in children and "会员共 80 人" in children


# --- organisation names in the reader's language ------------------------------------------------

def test_org_names_chinese_on_chinese_pages_english_on_english_pages(client, tree):
    yian = tree["yian"]
    yian.name_en = "Yi'an District Federation of Trade Unions"
    yian.save()
    tree["city"].name_en = "Tongling City Federation of Trade Unions"
    tree["city"].save()
    client.force_login(f.unit_admin(yian))
    zh = client.get(reverse("orgs:detail", args=[yian.pk])).content.decode()
    assert "Yi&#x27;an District" not in zh and "<h1 class=\"h3 mb-1\">义安区总工会" in zh
    en = english(client).get(reverse("orgs:detail", args=[yian.pk])).content.decode()
    assert "<h1 class=\"h3 mb-1\">Yi&#x27;an District Federation of Trade Unions" in en
    assert "Tongling City Federation of Trade Unions" in en and "铜陵市总工会" not in en  # the breadcrumb
    centre = client.get(reverse("accounts:centre")).content.decode()
    assert "Unit admin · <span class=\"text-muted\">Yi&#x27;an District" in centre  # the role's scope too
    # Without an English name, the Chinese one stays on the English page.
    child = client.get(reverse("orgs:children", args=[yian.pk])).content.decode()
    assert "义安区某公司工会" in child


# --- the hub links to 本单位作品 ---------------------------------------------------------------------

def test_unit_admin_hub_links_to_the_units_entries(client, world):
    world.submitted()
    client.force_login(world.yian_admin)
    html = client.get(reverse("common:manage")).content.decode()
    assert f'href="{reverse("entries:unit")}"' in html and "本单位作品" in html
    assert "所管理工会的作品：1 件" in html
    campaign_admin = f.user()
    f.grant(campaign_admin, "campaign_admin", campaign=world.campaign)
    client.force_login(campaign_admin)  # staff, but of no union
    html = client.get(reverse("common:manage")).content.decode()
    assert world.campaign.name in html and f'href="{reverse("entries:unit")}"' not in html


# --- SMS: one signature and the date ------------------------------------------------------------

SIGNED = re.compile(r"^【征集】.+（\d{4}-\d{2}-\d{2}）$")


def test_every_sms_is_signed_and_dated(tree, django_capture_on_commit_callbacks):
    admin = f.unit_admin(tree["ya1"])
    sms.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        membership.join_org(f.user(real_name="钱七"), tree["ya1"])  # the admins' notice
        from zhengji.accounts import services as account_services  # noqa: PLC0415 (keeps the imports above short)

        account_services.send_code("13900001234", "register")  # a verification code
    texts = [m["message"] for m in sms.outbox]
    assert len(texts) == 2 and all(SIGNED.match(t) for t in texts), texts
    assert admin.phone in {m["phone"] for m in sms.outbox}
    assert not any("【征集】【征集】" in t or "[Zhengji]" in t for t in texts)


def test_signed_strips_a_signature_given_twice():
    at = dt.datetime(2026, 12, 4, 20, 0, tzinfo=dt.UTC)  # 5 December in Beijing
    assert sms.signed("【征集】您的验证码是 123456。", at=at) == "【征集】您的验证码是 123456。（2026-12-05）"


# --- buttons and digits -------------------------------------------------------------------------

def test_primary_buttons_are_the_site_red_and_digits_tabular():
    css = SITE_CSS.read_text()
    primary = re.search(r"\.btn-primary, \.btn-zj \{([^}]*)\}", css)
    assert primary and "--bs-btn-bg: #b71c1c" in primary.group(1)
    assert re.search(r"\.btn-outline-primary \{[^}]*--bs-btn-color: #b71c1c", css)
    assert "--bs-primary: #b71c1c" in css
    assert re.search(r"body \{ font-variant-numeric: tabular-nums; \}", css)


# --- role labels in the reader's language -------------------------------------------------------

def test_role_labels_on_english_pages(client, world):
    c = english(client)
    c.force_login(world.yian_admin)
    html = c.get(reverse("accounts:centre")).content.decode()
    assert "Unit admin" in html and "单位管理员" not in html
    admin = f.user()
    f.grant(admin, "campaign_admin", campaign=world.campaign)
    c.force_login(admin)
    html = c.get(reverse("campaigns:people", args=[world.campaign.slug])).content.decode()
    assert "Campaign admin" in html and "活动管理员" not in html
    assert f">4. {world.track.name_en}</option>" in html  # the track picker, in English too


def test_demo_real_names_hold_no_role_label():
    with translation.override("zh-hans"):
        labels = {roles.label(n) for n in ("unit_admin", "campaign_admin", "moderator", "host_staff", "judge")}
    labels |= {"管理员", "职工", "评委", "审核员"}
    for spec in demo_accounts.ACCOUNTS:
        assert not any(label in spec["real_name"] for label in labels), spec["real_name"]


# --- one phone-masking rule -------------------------------------------------------------------

def test_mask_phone_has_one_format():
    assert mask_phone("13812341234") == "138****1234"
    assert mask_phone("+8613812341234") == "+86****1234"
    assert mask_phone("0562123") == "****" and mask_phone("") == ""


def test_no_other_masking_code_in_the_sources():
    """Every masked number comes from common.i18n.mask_phone (the |masked filter, {% phone_of %},
    shown_phone): no other place builds "****" itself, and no template prints a user's phone raw."""
    code = re.compile(r"""["']\*{4}["']|\*{4}\{|\+\s*["']\*{4}""")
    offenders = []
    for path in (ROOT / "zhengji").rglob("*.py"):
        if path.name == "i18n.py" and path.parent.name == "common":
            continue
        if code.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path))
    raw = re.compile(r"\{\{\s*[\w.]*user\.phone\s*\}\}")
    for path in (ROOT / "zhengji").rglob("*.html"):
        if "vendor" not in path.parts and raw.search(path.read_text(encoding="utf-8")):
            offenders.append(str(path))
    assert offenders == []


def test_pending_queue_and_admin_list_follow_the_rule(client, tree):
    yian_admin = f.unit_admin(tree["yian"])
    outsider_admin = f.unit_admin(tree["yian"], phone="13612345678")
    Membership.objects.create(user=outsider_admin, org=tree["jq1"])  # a member of a union elsewhere
    m = membership.join_org(f.user(phone="13512345678"), tree["ya1"])
    client.force_login(yian_admin)
    queue = client.get(reverse("orgs:pending")).content.decode()
    assert f'id="m-{m.pk}"' in queue and "13512345678" in queue  # the admin decides: the whole number
    detail = client.get(reverse("orgs:detail", args=[tree["yian"].pk])).content.decode()
    assert "136****5678" in detail and "13612345678" not in detail  # not a member of their subtree
