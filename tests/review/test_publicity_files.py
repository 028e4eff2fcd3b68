"""Objection evidence through the media app's ingest: the `objection_evidence` target (who may
upload, while the notice runs, images and PDF only) and who may view the files afterwards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from tests import factories as f
from tests.review.builders_publicity import PublicityWorld
from zhengji.common.errors import DomainError, NotPermitted
from zhengji.media import access, targets
from zhengji.media.processing.validation import MediaInvalid
from zhengji.media.samples import make_pdf, make_png
from zhengji.media.uploads.ingest import create_media_from_file
from zhengji.review import objection_files
from zhengji.review.domain import publicity as domain
from zhengji.review.models import Publicity

pytestmark = pytest.mark.django_db


@pytest.fixture
def w():
    return PublicityWorld()


def test_ingest_a_pdf_and_a_png_and_file_them(w, tmp_path):
    pub = w.publicity()
    data = {"target": "objection_evidence", "publicity": str(pub.pk)}
    target = targets.resolve(data, w.objector)
    assert target.purpose == objection_files.PURPOSE and target.campaign_id == w.campaign.pk
    pdf = create_media_from_file(make_pdf(tmp_path / "证据.pdf"), owner=w.objector, target=target)
    png = create_media_from_file(make_png(tmp_path / "截图.png"), owner=w.objector, target=target)
    letter_target = targets.resolve({**data, "slot": "sealed_letter"}, w.objector)
    assert letter_target.rule.max_count == 1
    letter = create_media_from_file(make_pdf(tmp_path / "公函.pdf"), owner=w.objector, target=letter_target)
    obj = domain.file_objection(w.objector, pub, w.awarded[0], "张三", "某单位", "理由", [pdf.pk, png.pk], True,
                                letter.pk)
    assert {m.kind for m in obj.evidence.all()} == {"document", "image"}
    # Moderators, campaign admins and the track's staff may view and read them; nobody else.
    for user in (w.moderator, w.campaign_admin, w.host_staff):
        assert access.may_view(user, pdf) and access.may_download_original(user, letter)
    for user in (w.other_staff, f.user(), w.judge(None).user, AnonymousUser()):
        assert not access.may_view(user, pdf) and not access.may_download_original(user, letter)


def test_other_kinds_are_refused(w, tmp_path):
    pub = w.publicity()
    target = targets.resolve({"target": "objection_evidence", "publicity": str(pub.pk)}, w.objector)
    doc = tmp_path / "x.txt"
    doc.write_text("纯文本")
    with pytest.raises(MediaInvalid):
        create_media_from_file(doc, owner=w.objector, target=target)


def test_resolver_refusals(w):
    pub = w.publicity()
    data = {"target": "objection_evidence", "publicity": str(pub.pk)}
    with pytest.raises(NotPermitted):
        targets.resolve(data, AnonymousUser())
    with pytest.raises(NotPermitted):
        targets.resolve(data, w.unverified)
    with pytest.raises(DomainError):
        targets.resolve({**data, "publicity": "x"}, w.objector)
    with pytest.raises(DomainError):
        targets.resolve({**data, "publicity": "99999"}, w.objector)
    Publicity.objects.filter(pk=pub.pk).update(ends=timezone.now() - dt.timedelta(seconds=1))
    with pytest.raises(DomainError) as exc:
        targets.resolve(data, w.objector)
    assert exc.value.code == "not_open"
