import pytest
from openapi_spec_validator import validate

pytestmark = pytest.mark.django_db


def test_openapi_schema_validates_and_documents_the_audit_api(client):
    r = client.get("/api/openapi.json")
    assert r.status_code == 200
    schema = r.json()
    validate(schema)
    op = schema["paths"]["/api/audit"]["get"]
    names = {p["name"] for p in op["parameters"]}
    assert {"action", "actor", "object_type", "date_from", "date_to", "page", "page_size"} <= names
    assert "200" in op["responses"]


def test_api_docs_page_uses_our_static_files(client):
    r = client.get("/api/docs")
    assert r.status_code == 200
    page = r.content.decode()
    assert "/static/ninja/swagger-ui-bundle.js" in page and "/static/ninja/swagger-ui-init.js" in page
    assert "cdn" not in page.lower()
    assert '"validatorUrl": null' in page
    csp = r.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "unsafe-eval" not in csp


def test_schema_is_built_once_per_language_not_per_request(client, monkeypatch):
    from ninja import NinjaAPI

    from zhengji.api.api import api

    api._schemas.clear()
    builds: list[int] = []
    original = NinjaAPI.get_openapi_schema

    def counting(self, **kwargs):
        builds.append(1)
        return original(self, **kwargs)

    monkeypatch.setattr(NinjaAPI, "get_openapi_schema", counting)
    first = client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    again = client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="zh-hans").json()
    assert first == again and len(builds) == 1
    client.get("/api/openapi.json", HTTP_ACCEPT_LANGUAGE="en").json()
    assert len(builds) == 2
