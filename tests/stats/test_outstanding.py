"""Outstanding units and individuals: ranking with each indicator, picks audited."""

from __future__ import annotations

import pytest
from django.urls import reverse

from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.stats import queries, services
from zhengji.stats.models import OutstandingPick

pytestmark = pytest.mark.django_db
PAGE = reverse("stats:outstanding")


def test_unit_candidates_by_hand(sw):
    sw.scenario()
    levels = queries.candidate_levels(sw.campaign)
    assert [d for d, _l in levels] == [2, 3, 4]
    counties = queries.unit_candidates(sw.campaign, 3)
    assert [c.org.code for c in counties] == ["AH-TL-YA", "AH-TL-JQ"]  # 1 recommended beats 0
    ya, jq = counties
    assert (ya.recommended, ya.participation, ya.coverage, ya.activities, ya.awards) == (1, 0.005, 0.6667, 1, None)
    assert (jq.recommended, jq.participation, jq.coverage, jq.activities) == (0, round(1 / 290, 4), 0.3333, 0)
    by_coverage = queries.unit_candidates(sw.campaign, 4, "coverage")
    # Ties on coverage (all 100%) go to entries recommended, then participation (某厂 1/200, 某学校 0).
    assert [c.org.code for c in by_coverage][:3] == ["AH-TL-YA-01", "AH-TL-JQ-01", "AH-TL-YA-02"]
    assert by_coverage[-1].org.code == "AH-TL-JQ-02" and by_coverage[-1].coverage == 0
    assert queries.awards_won(sw.campaign, ["x"]) is None


def test_individuals_ranked(sw):
    sw.scenario()
    page, rows = queries.individual_page(sw.campaign)
    assert [(r.name, r.entries, r.recommended, r.reported) for r in rows] == [("王一", 2, 1, 0), ("王三", 1, 0, 0)]
    assert rows[0].unit.endswith("义安区某公司工会") and page.paginator.count == 2


def test_pick_and_unpick_are_audited(sw):
    sw.scenario()
    p = services.pick_unit(sw.campaign_admin, sw.campaign, sw.tree["yian"], note="组织有力")
    assert p.indicators["recommended"] == 1 and p.indicators["coverage"] == 0.6667
    rec = AuditLog.objects.get(action="stats.pick")
    assert rec.actor == sw.campaign_admin and rec.campaign_id == sw.campaign.pk
    assert rec.org_path == sw.tree["yian"].path and rec.after["note"] == "组织有力"
    with pytest.raises(DomainError) as e:
        services.pick_unit(sw.campaign_admin, sw.campaign, sw.tree["yian"])
    assert e.value.code == "already_picked"
    person = services.pick_individual(sw.campaign_admin, sw.campaign, sw.w1.pk)
    assert person.indicators == {"entries": 2, "recommended": 1, "reported": 0, "awards": None}
    assert AuditLog.objects.get(action="stats.pick", after__kind="individual").org_path == sw.tree["ya1"].path
    services.unpick(sw.campaign_admin, p, reason="重新评估")
    gone = AuditLog.objects.get(action="stats.unpick")
    assert gone.before["org"] == sw.tree["yian"].pk and gone.after is None and gone.reason == "重新评估"
    services.unpick(sw.campaign_admin, person)
    assert not OutstandingPick.objects.exists()
    with pytest.raises(DomainError):
        services.unpick(sw.campaign_admin, person)


def test_pick_refusals(sw):
    sw.scenario()
    with pytest.raises(NotPermitted):
        services.pick_unit(sw.yian_admin, sw.campaign, sw.tree["yian"])
    with pytest.raises(DomainError) as e:
        services.pick_unit(sw.campaign_admin, sw.campaign, sw.tree["province"])
    assert e.value.code == "not_in_campaign"
    with pytest.raises(DomainError) as e:
        services.pick_individual(sw.campaign_admin, sw.campaign, sw.w2.pk)  # withdrew their only entry
    assert e.value.code == "not_participant"
    assert not AuditLog.objects.filter(action__startswith="stats.").exists()


def test_outstanding_page_pick_unpick(client, sw):
    sw.scenario()
    client.force_login(sw.campaign_admin)
    r = client.get(PAGE, {"campaign": sw.campaign.pk, "level": 3})
    assert r.status_code == 200
    html = r.content.decode()
    assert "义安区总工会" in html and "郊区总工会" in html and "—" in html
    assert "vote" not in html.split('id="candidates"')[1].lower()  # no vote or like column
    r = client.post(reverse("stats:pick"), {"campaign": sw.campaign.pk, "kind": "unit", "org": sw.tree["jiao"].pk,
                                            "back": f"campaign={sw.campaign.pk}&level=3"})
    assert r.status_code == 302 and "level=3" in r["Location"]
    pick = OutstandingPick.objects.get()
    assert pick.org == sw.tree["jiao"] and pick.picked_by == sw.campaign_admin
    again = client.post(reverse("stats:pick"), {"campaign": sw.campaign.pk, "kind": "unit",
                                                "org": sw.tree["jiao"].pk}, follow=True)
    assert "已经" in again.content.decode() or "already" in again.content.decode()
    bad = client.post(reverse("stats:pick"), {"campaign": sw.campaign.pk, "kind": "individual", "user": "x"},
                      follow=True)
    assert bad.status_code == 200 and OutstandingPick.objects.count() == 1
    r = client.get(PAGE, {"campaign": sw.campaign.pk, "tab": "individuals"})
    assert "王一" in r.content.decode()
    client.post(reverse("stats:pick"), {"campaign": sw.campaign.pk, "kind": "individual", "user": sw.w3.pk})
    assert OutstandingPick.objects.filter(user=sw.w3).exists()
    r = client.post(reverse("stats:unpick", args=[pick.pk]), {"back": f"campaign={sw.campaign.pk}"})
    assert r.status_code == 302 and not OutstandingPick.objects.filter(pk=pick.pk).exists()
    # Another campaign's admin can neither see nor remove the pick.
    from tests import factories as f
    from zhengji.campaigns.roles import CampaignRole

    other_admin = f.user()
    other = f.campaign(sw.tree["city"])
    f.grant(other_admin, CampaignRole.CAMPAIGN_ADMIN, campaign=other)
    left = OutstandingPick.objects.get()
    client.force_login(other_admin)
    assert client.post(reverse("stats:unpick", args=[left.pk])).status_code == 404
    assert client.get(PAGE, {"campaign": sw.campaign.pk}).status_code == 404


def test_outstanding_api(client, sw):
    sw.scenario()
    client.force_login(sw.campaign_admin)
    body = client.get("/api/stats/outstanding/units", {"campaign": sw.campaign.pk, "level": 3}).json()
    assert body["level"] == 3 and body["count"] == 2
    assert body["items"][0]["org"]["name"] == "义安区总工会" and body["items"][0]["awards"] is None
    r = client.post("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk, "kind": "unit",
                                                     "org": sw.tree["yian"].pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["indicators"]["recommended"] == 1
    pid = r.json()["id"]
    r = client.post("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk, "kind": "unit",
                                                     "org": sw.tree["yian"].pk}, content_type="application/json")
    assert r.status_code == 409 and r.json()["code"] == "already_picked"
    r = client.post("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk, "kind": "individual",
                                                     "user": sw.w1.pk}, content_type="application/json")
    assert r.status_code == 201 and r.json()["user"]["name"] == "王一"
    people = client.get("/api/stats/outstanding/individuals", {"campaign": sw.campaign.pk}).json()
    assert people["count"] == 2 and people["items"][0]["pick"] == r.json()["id"]
    assert len(client.get("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk}).json()) == 2
    assert client.delete(f"/api/stats/outstanding/picks/{pid}").status_code == 204
    assert client.delete(f"/api/stats/outstanding/picks/{pid}").status_code == 404
    r = client.post("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk, "kind": "unit", "org": 0},
                    content_type="application/json")
    assert r.status_code == 404
    client.force_login(sw.yian_admin)
    r = client.post("/api/stats/outstanding/picks", {"campaign": sw.campaign.pk, "kind": "unit",
                                                     "org": sw.tree["yian"].pk}, content_type="application/json")
    assert r.status_code == 403
