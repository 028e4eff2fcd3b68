"""Every page names its icon (browsers otherwise ask for /favicon.ico and log a 404 on every page)."""

import pytest
from django.contrib.staticfiles import finders

pytestmark = pytest.mark.django_db


def test_pages_link_an_icon_that_exists(client):
    page = client.get("/").content.decode()
    assert 'rel="icon"' in page and "img/favicon.svg" in page
    assert 'rel="icon"' in client.get("/no-such-page/").content.decode()
    assert finders.find("img/favicon.svg")
