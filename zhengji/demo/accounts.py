"""One demo account per role. Phone numbers 13800000xxx are fake and for the demo only; the
password is the same for all and is printed by `manage.py demo_accounts`. Never load the demo
into a production database."""

from __future__ import annotations

from zhengji.campaigns.roles import CampaignRole
from zhengji.orgs.roles import OrgRole

from . import campaign, orgs

DEMO_PASSWORD = "Zhengji-demo-2025"

# key: username; role: a registered role name, "superuser" or "worker"; scope: how to find the scope object
# ("campaign", "track:<slug>", "org:<code>"); label/label_en: what the table shows. Real names are
# people's names, never a role: pages show roles from the role registry, in the reader's language.
ACCOUNTS = [
    dict(username="admin", phone="13800000000", role="superuser", scope=None,
         real_name="演示·赵平", label="平台管理员（超级用户）", label_en="Platform admin (superuser)"),
    dict(username="campaign_admin", phone="13800000001", role=CampaignRole.CAMPAIGN_ADMIN, scope="campaign",
         real_name="演示·钱静", label="活动管理员", label_en="Campaign admin"),
    dict(username="moderator", phone="13800000002", role=CampaignRole.MODERATOR, scope="campaign",
         real_name="演示·孙立", label="内容审核员", label_en="Moderator"),
    dict(username="host_photo", phone="13800000003", role=CampaignRole.HOST_STAFF, scope="track:photography",
         real_name="演示·周宣", label="承办单位工作人员", label_en="Host-unit staff"),
    dict(username="judge_photo", phone="13800000004", role=CampaignRole.JUDGE, scope="track:photography",
         real_name="演示·吴桐", label="评委", label_en="Judge"),
    dict(username="admin_tongling", phone="13800000011", role=OrgRole.UNIT_ADMIN, scope="org:AH-TL",
         real_name="演示·郑铜", label="单位管理员", label_en="Unit admin"),
    dict(username="admin_yian", phone="13800000012", role=OrgRole.UNIT_ADMIN, scope="org:AH-TL-YA",
         real_name="演示·王义", label="单位管理员", label_en="Unit admin"),
    dict(username="admin_jiaoqu", phone="13800000013", role=OrgRole.UNIT_ADMIN, scope="org:AH-TL-JQ",
         real_name="演示·冯郊", label="单位管理员", label_en="Unit admin"),
    dict(username="worker_yian", phone="13800000021", role="worker", scope="org:AH-TL-YA-001",
         real_name="演示·陈晓", label="职工", label_en="Worker"),
    dict(username="worker_jiaoqu", phone="13800000022", role="worker", scope="org:AH-TL-JQ-001",
         real_name="演示·林悦", label="职工", label_en="Worker"),
]


def scope_label(spec: str | None, live: bool = False) -> str:
    """A readable scope for the table, from the definitions (no database needed). With `live`,
    campaign and track roles are held in the live copy too (load_demo --live)."""
    if spec is None:
        return "全平台 / whole platform"
    also = " + 演示副本 / live copy" if live else ""
    if spec == "campaign":
        return f"{campaign.CAMPAIGN['name']} ({campaign.CAMPAIGN['year']}){also}"
    kind, _sep, key = spec.partition(":")
    if kind == "track":
        t = next(t for t in campaign.TRACKS if t["slug"] == key)
        return f"{t['name']} ({t['name_en']}){also}"
    name = next(r[2] for r in orgs.org_rows() if r[0] == key)
    return f"{name} ({key})"
