import pytest

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.browser]


def test_api_docs_load_from_our_static_files_under_csp(page):
    errors: list[str] = []
    requests: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.on("request", lambda r: requests.append(r.url))
    page.goto(page.base_url + "/api/docs")
    # Generous: the first schema build and a 1.5 MB bundle under coverage on a loaded machine.
    page.locator(".swagger-ui .info .title").wait_for(timeout=60_000)
    assert "Zhengji API" in page.locator(".swagger-ui .info .title").inner_text()
    page.locator(".opblock-tag-section").first.wait_for()
    assert not [e for e in errors if "Content Security Policy" in e or "Refused" in e], errors
    assert all(u.startswith(page.base_url) or u.startswith("data:") for u in requests), requests
