"""Honour suggestions (outstanding organising units and individuals) come from the reporting
indicators through `common.registry.honour_suggestions` — the statistics app's provider — and never
from public votes; the permission rules of the notice area; the honours' cleaning."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests import factories as f
from tests.review.builders_notice import NoticeWorld
from zhengji.campaigns.roles import CampaignRole
from zhengji.common import registry
from zhengji.common.errors import DomainError
from zhengji.entries.models import EntryStatus
from zhengji.review.domain import notice as dom
from zhengji.review.models import Certificate
from zhengji.stats import honours, tally
from zhengji.stats.models import OutstandingPick, PickKind

HONOURS_SOURCE = Path(honours.__file__)


@pytest.mark.django_db
def test_units_and_people_are_suggested_by_awards_and_recommendations():
    w = NoticeWorld()
    got = w.awarded(w.track, counts=(1, 2), losers=1)  # winners in ya1, ya2 (义安区) and jq1 (郊区)
    tally.rebuild([w.campaign.pk])
    OutstandingPick.objects.create(campaign=w.campaign, kind=PickKind.UNIT, org=w.tree["jiao"], note="组织得力",
                                   picked_by=w.campaign_admin)
    out = registry.honour_suggestions.suggestions(w.campaign.pk)
    names = [s["name"] for s in out]
    # The admins' pick first, then the units by awards (the city, then its counties), then people.
    assert out[0] == {"kind": "unit", "name": w.tree["jiao"].name, "unit": "", "why": out[0]["why"]}
    assert "组织得力" in out[0]["why"]
    units = [s for s in out[1:] if s["kind"] == "unit"]
    assert units[0]["name"] == w.tree["city"].name
    assert names.index(w.tree["yian"].name) > names.index(w.tree["city"].name)
    assert w.host.name not in names  # no entries, no awards: not suggested
    # A unit appears once even when picked and suggested.
    assert names.count(w.tree["jiao"].name) == 1
    people = [s for s in out if s["kind"] == "person"]
    winners = {e.submitter_id for tier in ("一等奖", "二等奖") for e in got[tier]}
    assert len(people) >= len(winners)
    assert all(s["why"] for s in out)


@pytest.mark.django_db
def test_no_campaign_no_suggestions():
    assert honours.suggest(999999) == []


def _code_words(tree: ast.AST) -> set[str]:
    """Identifiers, attributes, keyword names and non-docstring strings of a module."""
    docstrings = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                docstrings.add(id(first.value))
    words = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Name):
            words.add(node.id)
        elif isinstance(node, ast.Attribute):
            words.add(node.attr)
        elif isinstance(node, ast.keyword) and node.arg:
            words.add(node.arg)
        elif isinstance(node, ast.alias):
            words.add(node.name)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings:
            words.add(node.value)
    return words


def test_honour_suggestions_never_use_votes():
    """Policy: online vote counts are never used to evaluate units; the provider reads no vote,
    like or public-vote figure (not in a query, a field lookup, an import or a message)."""
    words = _code_words(ast.parse(HONOURS_SOURCE.read_text(encoding="utf-8")))
    offending = {w for w in words if any(k in w.lower() for k in ("vote", "like", "public_vote", "投票", "点赞"))}
    assert offending == set()
    # The indicators it may use are the reporting ones.
    imported = {w for w in words if w in {"unit_candidates", "individual_page", "ResultLine", "OutstandingPick"}}
    assert imported == {"unit_candidates", "individual_page", "ResultLine", "OutstandingPick"}


@pytest.mark.django_db
def test_the_registry_merges_providers_without_duplicates():
    registry.honour_suggestions.register("t1", lambda cid: [{"kind": "unit", "name": "甲", "why": "a"},
                                                            {"kind": "unit", "name": ""}])
    registry.honour_suggestions.register("t2", lambda cid: [{"kind": "unit", "name": "甲", "unit": "", "why": "b"},
                                                            {"kind": "person", "name": "乙", "unit": "丙"}])
    try:
        out = [s for s in registry.honour_suggestions.suggestions(0) if s["name"] in ("甲", "乙", "")]
        assert out == [{"kind": "unit", "name": "甲", "unit": "", "why": "a"},
                       {"kind": "person", "name": "乙", "unit": "丙", "why": ""}]
    finally:
        registry.honour_suggestions.unregister("t1")
        registry.honour_suggestions.unregister("t2")


honour = st.fixed_dictionaries({"kind": st.sampled_from(["unit", "person"]),
                                "name": st.text(alphabet="甲乙丙 a", min_size=1, max_size=4).filter(str.strip),
                                "unit": st.sampled_from(["", "义安区总工会"])})


@given(st.lists(honour, max_size=12))
def test_clean_honours_keeps_the_first_of_each_and_the_order(items):
    out = dom.clean_honours(items)
    keys = [(h["kind"], h["name"].strip(), h["unit"]) for h in items]
    expected = list(dict.fromkeys(keys))
    assert [(h["kind"], h["name"], h["unit"]) for h in out] == expected


@given(st.one_of(st.just("robot"), st.just(""),
                 st.text(alphabet="unitperso", max_size=6).filter(lambda s: s not in ("unit", "person"))))
def test_clean_honours_refuses_an_unknown_kind(kind):
    with pytest.raises(DomainError):
        dom.clean_honours([{"kind": kind, "name": "甲"}])


@pytest.mark.django_db
def test_permission_rules():
    w = NoticeWorld()
    got = w.awarded(w.track, counts=(1, 1), losers=0)
    dom.issue_certificates(w.campaign_admin, w.track)
    c = Certificate.objects.select_related("entry__track").get(entry=got["一等奖"][0])
    other = f.user()
    f.grant(other, CampaignRole.CAMPAIGN_ADMIN, campaign=w.other_campaign_track().campaign)
    judge = w.judge("ya2").user
    for who, may in ((w.campaign_admin, True), (w.superuser, True), (w.host_staff, False), (other, False),
                     (judge, False), (w.moderator, False), (w.worker, False)):
        assert who.has_perm("review.manage_notice", w.campaign) is may, who
        assert who.has_perm("review.manage_certificates", w.track) is may, who
        assert who.has_perm("review.manage_certificates", c) is may, who
        assert who.has_perm("review.download_certificate", c) is may, who
    entrant = got["一等奖"][0].submitter
    assert entrant.has_perm("review.download_certificate", c)
    assert not got["二等奖"][0].submitter.has_perm("review.download_certificate", c)
    c.entry.status = EntryStatus.SCORED
    assert not entrant.has_perm("review.download_certificate", c)
