"""Every model of ours registered in Django's admin opens for a superuser (list, add form, one object),
and stays closed to everyone else."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.urls import reverse

from tests import factories as f

pytestmark = pytest.mark.django_db


def test_every_admin_page_opens_for_a_superuser_only(client):
    tree = f.tongling_tree()
    c = f.campaign(tree["province"])
    t = f.track(c, tree["city"])
    worker = f.user()
    f.unit_admin(tree["yian"])
    f.grant(worker, "judge", track=t)
    client.force_login(f.user(is_superuser=True, is_staff=True))
    opened = 0
    for model, model_admin in admin.site._registry.items():
        if not model.__module__.startswith("zhengji."):
            continue  # third-party admin (e.g. django-rq's dashboard, which has no table) is theirs
        meta = model._meta
        changelist = reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")
        r = client.get(changelist)
        assert r.status_code == 200, (changelist, r.status_code)
        if model_admin.has_add_permission(r.wsgi_request):
            assert client.get(reverse(f"admin:{meta.app_label}_{meta.model_name}_add")).status_code == 200
        first = model._default_manager.first()
        if first is not None:
            change = reverse(f"admin:{meta.app_label}_{meta.model_name}_change", args=[first.pk])
            assert client.get(change).status_code == 200, change
        opened += 1
    assert opened >= 3  # users, roles, and the rest of ours
    client.force_login(worker)
    assert client.get(reverse("admin:index")).status_code == 302
