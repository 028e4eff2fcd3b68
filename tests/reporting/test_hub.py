"""The reporting chain's card on the staff hub: unit admins get the way to their vetting queue."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_unit_admins_find_the_queue_on_the_hub(client):
    tree = f.tongling_tree()
    client.force_login(f.unit_admin(tree["yian"]))
    page = client.get(reverse("common:manage")).content.decode()
    assert reverse("reporting:queue") in page and reverse("reporting:batches") in page
    client.force_login(f.user())
    assert client.get(reverse("common:manage")).status_code == 403
