import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/manage/campaigns/", "/manage/campaigns/new/", "/manage/campaigns/camp-a/", "/manage/campaigns/camp-a/edit/",
         "/manage/campaigns/camp-a/tracks/new/", "/manage/campaigns/camp-a/tracks/songs/",
         "/manage/campaigns/camp-a/tracks/songs/form/", "/manage/campaigns/camp-a/tracks/songs/form/json/",
         "/manage/campaigns/camp-a/tracks/songs/levels/", "/manage/campaigns/camp-a/levels/",
         "/manage/campaigns/camp-a/announcements/", "/manage/campaigns/camp-a/announcements/new/",
         "/manage/campaigns/camp-a/people/", "/manage/campaigns/camp-a/orgs/?q=义安"]


@pytest.mark.parametrize("url", PAGES)
def test_superuser_sees_every_page(world, as_user, url):
    r = as_user(world.superuser).get(url)
    assert r.status_code == 200, r.content[:2000]
