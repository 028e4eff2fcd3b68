"""Smaller answers: a province admin and a city's campaign, the export's level and blank cells,
the card for someone who is not staff, the models' labels."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests import factories as f
from tests.entries.builders import campaign_now
from zhengji.reporting import services as reporting
from zhengji.stats import models, queries
from zhengji.stats.exports import dashboard_xlsx, safe
from zhengji.stats.hub import hub_panels

pytestmark = pytest.mark.django_db


def test_admin_above_a_campaign_sees_it_from_its_organisation(sw):
    city_campaign = campaign_now(sw.tree["city"], slug="city-c")
    province_admin = f.unit_admin(sw.tree["province"])
    assert city_campaign in queries.campaigns_for(province_admin)
    assert queries.roots_for(province_admin, city_campaign) == [sw.tree["city"]]
    assert queries.roots_for(sw.yian_admin, city_campaign) == [sw.tree["yian"]]
    unpublished = campaign_now(sw.tree["city"], slug="draft-c", is_published=False)
    assert unpublished not in queries.campaigns_for(province_admin)


def test_export_with_levels_and_no_members(sw):
    sw.scenario()
    batch = reporting.create_batch(sw.ya1_admin, sw.tree["ya1"], sw.track)
    reporting.send_batch(sw.ya1_admin, batch)
    data = dashboard_xlsx(queries.dashboard(sw.campaign, sw.tree["province"]))
    wb = openpyxl.load_workbook(io.BytesIO(data), read_only=True)
    levels = list(wb.worksheets[3].iter_rows(min_row=4, values_only=True))
    assert levels[0][1:] == (1, 0, 1.0)
    overview = list(wb.worksheets[0].iter_rows(min_row=4, values_only=True))
    host = next(r for r in overview if r[0] == "宣城市总工会")
    assert host[5] is None  # no members: no participation rate, a blank cell
    days = list(wb.worksheets[2].iter_rows(min_row=4, values_only=True))
    assert sum(n for _d, n in days) == 4
    assert safe("@x") == "'@x" and safe(None) == "" and safe("ok") == "ok"


def test_no_card_for_a_plain_worker(sw):
    assert hub_panels(sw.plain) == []


def test_model_labels(sw):
    sw.scenario()
    for model in (models.StatusTally, models.UnitTally, models.Participant, models.SubtreeTally, models.DailyTally):
        row = model.objects.filter(campaign=sw.campaign).first()
        assert str(row).startswith(str(sw.campaign.pk))
    batch = reporting.create_batch(sw.ya1_admin, sw.tree["ya1"], sw.track)
    reporting.send_batch(sw.ya1_admin, batch)
    assert str(models.LevelReport.objects.get()).endswith("on time")
