"""The API's contract, point by point (issue "Hardening", points 6 and 10): what the schema says
is what the API does. The schema fuzz test (test_schema_fuzz.py) checks every operation; these are
the cases found by hand, kept so that each stays fixed."""

from __future__ import annotations

import json

import pytest
from django.test import Client
from ninja.params.models import BodyModel

from tests import factories as f
from zhengji.api.api import api
from zhengji.common.apitypes import InputSchema

pytestmark = pytest.mark.django_db


@pytest.fixture
def schema(client):
    return client.get("/api/openapi.json").json()


def _operations(schema):
    for path, item in schema["paths"].items():
        for method, op in item.items():
            yield path, method, op


def test_every_operation_documents_the_common_errors_with_one_error_body(schema):
    for path, method, op in _operations(schema):
        codes = set(op["responses"])
        assert {"400", "403", "404", "409", "422", "429"} <= codes, (method, path, codes)
        if op.get("security"):
            assert "401" in codes, (method, path)
        for code, response in op["responses"].items():
            if code.startswith("4"):
                assert response["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/ApiError"}
    assert schema["components"]["schemas"]["ApiError"]["properties"]["errors"]["type"] == "object"


def test_no_two_schemas_share_a_name():
    """ninja names a component after its class: two classes of one name overwrite each other in
    the schema (GET /api/campaigns was documented with the public campaign's fields)."""
    seen: dict[str, type] = {}
    for model in _models():
        other = seen.setdefault(model.__name__, model)
        assert other is model, f"{model.__module__}.{model.__name__} and {other.__module__}.{other.__name__}"


def _models():
    from pydantic import BaseModel

    def walk(annotation, found):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel) and annotation not in found:
            found.add(annotation)
            for field in annotation.model_fields.values():
                walk(field.annotation, found)
        for arg in getattr(annotation, "__args__", ()) or ():
            walk(arg, found)

    found: set = set()
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                for model in op.models:
                    for field in model.model_fields.values():
                        walk(field.annotation, found)
                for response in (op.response_models or {}).values():
                    walk(response, found)
    return [m for m in found if m.__module__.startswith("zhengji.")]


def test_every_json_body_is_an_input_schema():
    """A body must be a JSON object: ninja's Schema reads attributes of anything, so a body class
    not derived from InputSchema took `[null, null]` as an empty PATCH."""
    for _prefix, router in api._routers:
        for path_view in router.path_operations.values():
            for op in path_view.operations:
                for model in op.models:
                    if not issubclass(model, BodyModel):
                        continue
                    for name, field in model.model_fields.items():
                        ann = field.annotation
                        for t in (ann, *getattr(ann, "__args__", ())):
                            if isinstance(t, type) and t.__module__.startswith("zhengji."):
                                assert issubclass(t, InputSchema), (op.view_func.__qualname__, name, t)


def test_campaign_list_items_match_their_schema(client, schema):
    tree = f.tongling_tree()
    f.campaign(tree["province"], slug="c1")
    client.force_login(f.user(is_superuser=True))
    items = client.get("/api/campaigns").json()
    ref = schema["paths"]["/api/campaigns"]["get"]["responses"]["200"]["content"]["application/json"]["schema"]
    name = ref["items"]["$ref"].rsplit("/", 1)[1]
    required = set(schema["components"]["schemas"][name]["required"])
    assert items and required <= set(items[0]), required - set(items[0])


def test_validation_errors_are_an_object_per_field(client):
    client.force_login(f.user(is_superuser=True))
    r = client.post("/api/me/tokens", "{}", content_type="application/json")
    assert r.status_code == 422
    errors = r.json()["errors"]
    assert isinstance(errors, dict) and all(isinstance(v, list) and v for v in errors.values())
    assert any(key.endswith("name") for key in errors)


@pytest.mark.parametrize("body", ["[null, null]", "null", "[]", '"x"', "3"])
def test_a_body_that_is_not_an_object_is_refused(client, body):
    tree = f.tongling_tree()
    client.force_login(f.unit_admin(tree["yian"]))
    before = tree["yian"].name
    r = client.patch(f"/api/orgs/{tree['yian'].pk}", body, content_type="application/json")
    assert r.status_code == 422 and r.json()["code"] == "invalid"
    tree["yian"].refresh_from_db()
    assert tree["yian"].name == before


def test_a_body_that_is_not_json_is_a_json_400(client):
    client.force_login(f.user(is_superuser=True))
    r = client.post("/api/me/tokens", "{bad", content_type="application/json")
    assert r.status_code == 400 and r.json()["code"] == "invalid_body"


@pytest.mark.parametrize("value", ["0", "1", "20260101", "2026-1-1", "2026-01-01T00:00", "²"])
def test_dates_are_iso_dates_only(client, value):
    client.force_login(f.user(is_superuser=True))
    r = client.get("/api/audit", {"date_to": value})
    assert r.status_code == 422, value
    assert client.get("/api/audit", {"date_to": "2026-01-01"}).status_code == 200


def test_anonymous_unsafe_calls_are_unauthenticated_not_csrf_failures():
    c = Client(enforce_csrf_checks=True)
    r = c.post("/api/me/tokens", json.dumps({"name": "x"}), content_type="application/json")
    assert r.status_code == 401 and r.json()["code"] == "unauthenticated"


def test_a_logged_in_session_still_needs_the_csrf_token():
    c = Client(enforce_csrf_checks=True)
    c.force_login(f.user())
    r = c.post("/api/me/tokens", json.dumps({"name": "x"}), content_type="application/json")
    assert r.status_code == 403


def test_numbers_beyond_64_bits_are_a_400_not_a_500(rf):
    """The database refuses a number past 64 bits (OverflowError on SQLite, DataError on
    PostgreSQL): the API answers 400 out_of_range, pages the 400 page."""
    from django.db import DataError

    from zhengji.common.middleware import RequestSanityMiddleware

    for exc in (OverflowError("Python int too large to convert to SQLite INTEGER"), DataError("bigint out of range")):
        r = api.on_exception(rf.get("/api/x"), exc)
        assert r.status_code == 400 and json.loads(r.content)["code"] == "out_of_range"
        page = RequestSanityMiddleware(lambda request: None).process_exception(rf.get("/x"), exc)
        assert page.status_code == 400 and b"too large" in page.content or "过大".encode() in page.content
    assert RequestSanityMiddleware(lambda request: None).process_exception(rf.get("/x"), KeyError()) is None



def test_field_errors_are_in_the_callers_language():
    """pydantic words its messages in English only: the kinds people meet come back translated."""
    import pydantic
    from django.utils import translation

    from zhengji.api.errors import field_errors

    class Payload(pydantic.BaseModel):
        body: str = pydantic.Field(min_length=1, max_length=5)
        page: int = pydantic.Field(ge=1)
        score: float
        code: str

    def errors(data):
        with pytest.raises(pydantic.ValidationError) as caught:
            Payload.model_validate(data)
        with translation.override("zh-hans"):
            return field_errors(caught.value.errors())

    assert errors({"body": "", "page": "abc", "score": "x"}) == {
        "body": ["此项为必填项。"], "page": ["请输入整数。"], "score": ["请输入数字。"], "code": ["此项为必填项。"]}
    assert errors({"body": "太长了太长了", "page": 0, "score": 1, "code": "c"}) == {
        "body": ["最多 5 个字符。"], "page": ["确保该值大于或等于1。"]}
