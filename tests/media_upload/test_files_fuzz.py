"""Every /files/ endpoint (tus, ingest, renditions, originals, status, retry), with every method,
fed odd headers and bodies, never answers with a server error (issue "Hardening", point 6).

The JSON API is fuzzed from its schema (tests/api/test_schema_fuzz.py); /files/ speaks tus and
serves files, so it is fuzzed here with hypothesis through Django's test client."""

from __future__ import annotations

import base64
import uuid

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests import factories as f

from .conftest import make_token

pytestmark = pytest.mark.django_db

METHODS = ["GET", "HEAD", "POST", "PATCH", "DELETE", "PUT", "OPTIONS"]
ODD_NUMBERS = ["", "²", "１２", "-1", "1.5", " 7", "99999999999999999999999", "0", "5", "\x00"]
odd_text = st.one_of(st.sampled_from(ODD_NUMBERS), st.text(max_size=20))


def _meta(name: str) -> str:
    return "filename " + base64.b64encode(name.encode("utf-8", "surrogatepass")).decode()


@pytest.fixture
def person(db):
    user = f.user()
    return user, make_token(user)


@pytest.fixture
def upload_url(client, person):
    _user, token = person
    r = client.post("/files/tus/", headers={"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0",
                                            "Upload-Length": "10", "Upload-Metadata": _meta("a.jpg")})
    assert r.status_code == 201
    return "/files/tus/" + r["Location"].rsplit("/", 1)[1]


@settings(max_examples=60, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(method=st.sampled_from(METHODS),
       which=st.sampled_from(["tus", "detail", "unknown", "ingest", "thumb", "original", "status", "retry", "test"]),
       length=odd_text, offset=odd_text, name=st.one_of(st.just("a\x00b.jpg"), st.text(max_size=40)),
       content_type=st.sampled_from(["application/offset+octet-stream", "application/json",
                                     "multipart/form-data", "text/plain", ""]),
       body=st.one_of(st.binary(max_size=64), st.sampled_from([b'{"track": "\xc2\xb2"}', b'{"track": 1e400}',
                                                                b"[null]", b'{"track": "99999999999999999999"}'])),
       auth=st.booleans())
def test_files_endpoints_never_fail_with_a_server_error(client, person, upload_url, method, which, length,
                                                        offset, name, content_type, body, auth):
    _user, token = person
    path = {
        "tus": "/files/tus/", "detail": upload_url, "unknown": f"/files/tus/{uuid.uuid4()}",
        "ingest": upload_url.replace("/tus/", "/uploads/") + "/ingest",
        "thumb": "/files/m/1/thumb", "original": "/files/m/99999999999999999999/original",
        "status": "/files/m/1/status", "retry": "/files/m/1/retry", "test": "/files/upload-test/",
    }[which]
    headers = {"Tus-Resumable": "1.0.0", "Upload-Length": length, "Upload-Offset": offset,
               "Upload-Metadata": _meta(name)}
    if auth:
        headers["Authorization"] = f"Bearer {token}"
    try:
        r = client.generic(method, path, data=body, content_type=content_type,
                           headers={k: v for k, v in headers.items() if "\n" not in v and "\r" not in v})
    except ValueError:
        return  # the test client itself refuses a header it cannot send; no request was made
    assert r.status_code < 500, (method, path, r.status_code, r.content[:200])


def test_superscript_and_nul_in_tus_headers_are_400s(client, person, upload_url):
    _user, token = person
    auth = {"Authorization": f"Bearer {token}", "Tus-Resumable": "1.0.0"}
    r = client.post("/files/tus/", headers={**auth, "Upload-Length": "²"})
    assert r.status_code == 400
    r = client.generic("PATCH", upload_url, data=b"x", content_type="application/offset+octet-stream",
                       headers={**auth, "Upload-Offset": "²"})
    assert r.status_code == 400
    r = client.post("/files/tus/", headers={**auth, "Upload-Length": "3", "Upload-Metadata": _meta("a\x00.jpg")})
    assert r.status_code == 400
    r = client.post(upload_url.replace("/tus/", "/uploads/") + "/ingest", data={"track": "²"},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code in (400, 404, 409)
