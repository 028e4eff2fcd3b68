import pytest

pytestmark = pytest.mark.django_db

PAGES = ["/manage/", "/manage/new/", "/manage/camp-a/", "/manage/camp-a/edit/",
         "/manage/camp-a/tracks/new/", "/manage/camp-a/tracks/songs/",
         "/manage/camp-a/tracks/songs/form/", "/manage/camp-a/tracks/songs/form/json/",
         "/manage/camp-a/tracks/songs/levels/", "/manage/camp-a/levels/",
         "/manage/camp-a/announcements/", "/manage/camp-a/announcements/new/",
         "/manage/camp-a/people/", "/manage/camp-a/orgs/?q=义安"]


@pytest.mark.parametrize("url", PAGES)
def test_superuser_sees_every_page(world, as_user, url):
    r = as_user(world.superuser).get(url)
    assert r.status_code == 200, r.content[:2000]
