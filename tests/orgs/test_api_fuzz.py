"""Random bodies for the writing endpoints: any input gives a 2xx/4xx JSON answer, never a 500."""

import json

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db

values = st.one_of(st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
                   st.text(max_size=300), st.sampled_from(["grassroots", "county", "基层工会", "", "AH-TL-YA-01"]))
keys = st.sampled_from(["name", "short_name", "name_en", "kind", "code", "member_count", "contact_name",
                        "contact_phone", "address", "parent", "target", "reason"])
bodies = st.dictionaries(keys, values, max_size=8)
quiet = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@quiet
@given(body=bodies)
def test_create_and_patch_never_500(yian_client, tree, body):
    parent = tree["ya1"].pk
    for method, url, data in [("post", "/api/orgs", {"parent": parent, **body}),
                              ("patch", f"/api/orgs/{parent}", body),
                              ("post", f"/api/orgs/{tree['ya2'].pk}/move", body)]:
        r = getattr(yian_client, method)(url, json.dumps(data), content_type="application/json")
        assert r.status_code < 500, (url, data, r.content)
        assert r["Content-Type"].startswith("application/json")


@quiet
@given(q=st.text(max_size=60), limit=st.integers(-5, 2**66), offset=st.integers(-5, 2**66))
def test_lists_never_500(yian_client, tree, q, limit, offset):
    r = yian_client.get("/api/orgs", {"q": q, "limit": limit, "offset": offset})
    assert r.status_code in (200, 400, 422)
    r = yian_client.get(f"/api/orgs/{tree['ya1'].pk}/members", {"limit": limit, "offset": offset})
    assert r.status_code in (200, 400, 422)
    assert yian_client.get("/api/orgs/search", {"q": q}).status_code == (400 if "\x00" in q else 200)
