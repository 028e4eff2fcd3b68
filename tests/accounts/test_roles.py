"""The role registry: a later app adds a role kind by registering it (no edit of accounts), the
generic assignments, the data migration from the three foreign keys, and subtree isolation."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests import factories as f
from zhengji.accounts import roles
from zhengji.accounts.models import RoleAssignment
from zhengji.accounts.rules import can_grant
from zhengji.accounts.scopes import forget_scopes, scopes_for
from zhengji.accounts.services import grant_role, revoke_role
from zhengji.campaigns.models import Campaign, Track
from zhengji.campaigns.roles import CampaignRole
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.common.models import AuditLog
from zhengji.orgs.models import Organization
from zhengji.orgs.roles import OrgRole

pytestmark = pytest.mark.django_db

SCORER = "test_track_scorer"


@pytest.fixture
def scorer_kind():
    """What a later app (say `review`) does in its ready(): register "scorer of track T"."""
    loads: list[frozenset[int]] = []

    def load(ids: frozenset[int]) -> list[int]:
        loads.append(ids)
        return sorted(Track.objects.filter(pk__in=ids).values_list("campaign_id", flat=True))

    kind = roles.register(roles.RoleKind(
        name=SCORER, label="Scorer", scope_model="campaigns.track",
        may_grant=lambda actor, track: track.pk in scopes_for(actor).host_tracks,
        load=load, describe=lambda track: f"scorer of {track.name}",
        audit_scope=lambda track: {"campaign_id": track.campaign_id}))
    yield kind, loads
    roles.unregister(SCORER)


@pytest.fixture
def world(tree):
    c = f.campaign(tree["city"])
    t1 = f.track(c, tree["yian"], 1, slug="songs")
    t2 = f.track(c, tree["jiao"], 2, slug="videos")
    host = f.user()
    f.grant(host, CampaignRole.HOST_STAFF, track=t1)
    return {"tree": tree, "campaign": c, "t1": t1, "t2": t2, "host": host}


def test_the_apps_register_their_roles():
    assert {"unit_admin", "campaign_admin", "moderator", "host_staff", "judge"} <= set(roles.names())
    assert roles.get("unit_admin").scope_model == "orgs.organization"
    assert roles.get("judge").scope_model == "campaigns.track"
    assert roles.get("moderator").scope_model == "campaigns.campaign"
    assert roles.label("unit_admin") == "单位管理员"  # translated, from the registry
    assert roles.label("no_such_role") == "no_such_role"


def test_a_registered_role_is_granted_scoped_and_checked(world, scorer_kind, client):
    kind, loads = scorer_kind
    t1, t2, host = world["t1"], world["t2"], world["host"]
    judge = f.user()
    # can_grant asks the registry: host staff of t1 may appoint scorers for t1 only.
    assert can_grant(host, SCORER, t1) and not can_grant(host, SCORER, t2)
    assert not can_grant(host, SCORER, world["campaign"])  # a scope of the wrong kind
    assert not can_grant(judge, SCORER, t1)
    ra = grant_role(host, judge, SCORER, t1)
    assert (ra.role, ra.scope_type, ra.scope_id, ra.scope) == (SCORER, "campaigns.track", t1.pk, t1)
    assert grant_role(host, judge, SCORER, t1).pk == ra.pk  # idempotent
    with pytest.raises(NotPermitted):
        grant_role(host, judge, SCORER, t2)
    log = AuditLog.objects.get(action="role.grant", object_id=str(ra.pk))
    assert log.campaign_id == t1.campaign_id
    # It appears in the scopes, with its loader's data, loaded once and in one query.
    fresh = type(judge).objects.get(pk=judge.pk)
    with CaptureQueriesContext(connection) as ctx:
        s = scopes_for(fresh)
        assert s.ids(SCORER) == {t1.pk} and s.data(SCORER) == [t1.campaign_id]
        assert s.is_staff_of_anything and scopes_for(fresh) is s
    assert len(ctx.captured_queries) == 2 and loads == [frozenset({t1.pk})]
    # A user without the role does not run the loader.
    loads.clear()
    scopes_for(type(host).objects.get(pk=host.pk))
    assert loads == []
    # Pages and the API show it with the registry's label and description.
    client.force_login(judge)
    body = client.get(reverse("accounts:centre")).content.decode()
    assert f'<li>Scorer · <span class="text-muted">scorer of {t1.name}</span></li>' in body
    me = client.get("/api/me").json()["roles"]
    assert me == [{"id": ra.pk, "role": SCORER, "role_label": "Scorer", "scope_type": "track", "scope_id": t1.pk,
                   "scope_name": t1.name}]
    revoke_role(host, ra)
    forget_scopes(fresh)
    assert not scopes_for(fresh).ids(SCORER)


def test_unregistered_roles_and_wrong_scopes_are_refused(world):
    admin = f.user(is_superuser=True)
    u = f.user()
    with pytest.raises(DomainError) as exc:
        grant_role(admin, u, "no_such_role", world["t1"])
    assert exc.value.code == "bad_role"
    with pytest.raises(DomainError) as exc:
        grant_role(admin, u, CampaignRole.JUDGE, world["campaign"])
    assert exc.value.code == "bad_scope"
    with pytest.raises(DomainError):
        grant_role(admin, u, CampaignRole.JUDGE, world["t1"], campaign=world["campaign"])  # two scopes
    with pytest.raises(ValidationError):
        RoleAssignment(user=u, role="no_such_role", scope_type="campaigns.track", scope_id=world["t1"].pk).full_clean()
    # A row of a role whose app is gone grants nothing.
    RoleAssignment.objects.create(user=u, role="gone_role", scope_type="campaigns.track", scope_id=world["t1"].pk)
    assert not scopes_for(u).is_staff_of_anything


def test_keyword_scopes_still_work(world):
    admin = f.user(is_superuser=True)
    u = f.user()
    assert grant_role(admin, u, OrgRole.UNIT_ADMIN, org=world["tree"]["yian"]).scope == world["tree"]["yian"]
    assert grant_role(admin, u, CampaignRole.JUDGE, track=world["t1"]).scope == world["t1"]
    assert grant_role(admin, u, CampaignRole.MODERATOR, campaign=world["campaign"]).scope == world["campaign"]
    s = scopes_for(u)
    assert s.admin_org_ids == [world["tree"]["yian"].pk] and s.admin_org_paths == [world["tree"]["yian"].path]
    assert s.judge_tracks == {world["t1"].pk} and s.moderator == {world["campaign"].pk}


def test_deleting_a_scope_object_deletes_its_assignments(world):
    judge = f.user()
    f.grant(judge, CampaignRole.JUDGE, track=world["t2"])
    keep = f.grant(judge, CampaignRole.JUDGE, track=world["t1"])
    Track.objects.filter(pk=world["t2"].pk).delete()
    assert list(RoleAssignment.objects.filter(user=judge)) == [keep]
    Campaign.objects.filter(pk=world["campaign"].pk).delete()  # cascades to its tracks, then to roles
    assert not RoleAssignment.objects.filter(user__in=[judge, world["host"]]).exists()


def test_subtree_isolation(tree):
    """An admin of 义安区 administers its subtree only, and may appoint admins only there."""
    yian_admin = f.unit_admin(tree["yian"])
    s = scopes_for(yian_admin)
    assert s.administers_path(tree["ya1"].path) and s.administers_path(tree["yian"].path)
    assert not s.administers_path(tree["jq1"].path) and not s.administers_path(tree["city"].path)
    assert set(Organization.objects.filter(s.subtree_q()).values_list("code", flat=True)) == {
        "AH-TL-YA", "AH-TL-YA-01", "AH-TL-YA-02"}
    assert can_grant(yian_admin, OrgRole.UNIT_ADMIN, tree["ya2"])
    assert not can_grant(yian_admin, OrgRole.UNIT_ADMIN, tree["jiao"])
    assert not can_grant(yian_admin, OrgRole.UNIT_ADMIN, tree["city"])
    other = f.user()
    with pytest.raises(NotPermitted):
        grant_role(yian_admin, other, OrgRole.UNIT_ADMIN, tree["jq1"])
    ra = grant_role(yian_admin, other, OrgRole.UNIT_ADMIN, tree["ya2"])
    assert AuditLog.objects.get(action="role.grant", object_id=str(ra.pk)).org_path == tree["ya2"].path
    jiao_admin = f.unit_admin(tree["jiao"])
    with pytest.raises(NotPermitted):
        revoke_role(jiao_admin, ra)


@pytest.mark.django_db(transaction=True)
def test_migration_moves_foreign_keys_to_generic_scopes():
    before = [("accounts", "0003_sendthrottle")]
    after = [("accounts", "0006_drop_role_foreign_keys")]
    executor = MigrationExecutor(connection)
    executor.migrate(before)
    try:
        tree = f.tongling_tree()
        c = f.campaign(tree["city"])
        t = f.track(c, tree["yian"], 1, slug="songs")
        u, v = f.user(), f.user()
        old = executor.loader.project_state(before).apps.get_model("accounts", "RoleAssignment")
        rows = {
            "unit": old.objects.create(user_id=u.pk, role="unit_admin", org_id=tree["yian"].pk),
            "judge": old.objects.create(user_id=u.pk, role="judge", track_id=t.pk),
            "admin": old.objects.create(user_id=v.pk, role="campaign_admin", campaign_id=c.pk, granted_by_id=u.pk),
        }
        old.objects.create(user_id=u.pk, role="judge", track_id=t.pk)  # a duplicate: dropped
        old.objects.create(user_id=u.pk, role="judge")  # no scope: granted nothing, dropped
        executor = MigrationExecutor(connection)
        executor.migrate(after)
        moved = {ra.pk: ra for ra in RoleAssignment.objects.all()}
        assert set(moved) == {r.pk for r in rows.values()}
        assert (moved[rows["unit"].pk].scope_type, moved[rows["unit"].pk].scope_id) == ("orgs.organization",
                                                                                      tree["yian"].pk)
        assert (moved[rows["judge"].pk].scope_type, moved[rows["judge"].pk].scope_id) == ("campaigns.track", t.pk)
        assert moved[rows["admin"].pk].scope == c and moved[rows["admin"].pk].granted_by_id == u.pk
        assert scopes_for(type(u).objects.get(pk=u.pk)).judge_tracks == {t.pk}
        # And back: the foreign keys are filled again.
        executor = MigrationExecutor(connection)
        executor.migrate(before)
        back = {ra.pk: ra for ra in executor.loader.project_state(before).apps.get_model(
            "accounts", "RoleAssignment").objects.all()}
        assert back[rows["unit"].pk].org_id == tree["yian"].pk and back[rows["judge"].pk].track_id == t.pk
        assert back[rows["admin"].pk].campaign_id == c.pk
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
