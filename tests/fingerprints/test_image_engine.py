"""The image engine: each edit of a stored picture finds it; same-style pictures do not."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.files import File
from django.core.files.storage import default_storage
from PIL import Image

from tests import factories as f
from tests.fingerprints import media_edits as me
from zhengji.fingerprints import engines, tasks
from zhengji.fingerprints.image import ENGINE
from zhengji.fingerprints.models import ImageSignature, PerceptualHash
from zhengji.media.models import MediaFile

pytestmark = pytest.mark.django_db

ORIGINALS = {1: ("sample", "astronaut"), 2: ("sample", "coffee"), 3: ("sample", "camera"),
             4: ("sample", "brick"), 5: ("synthetic", 1), 6: ("synthetic", 2)}


def _picture(kind: str, which) -> Image.Image:
    return me.sample(which, 160) if kind == "sample" else me.synthetic(which, (160, 120))


@pytest.fixture(scope="module")
def pictures(tmp_path_factory) -> dict[int, Image.Image]:
    return {pk: _picture(*spec) for pk, spec in ORIGINALS.items()}


@pytest.fixture
def stored(pictures, tmp_path) -> dict[int, Image.Image]:
    for pk, img in pictures.items():
        ENGINE.compute_file(("media", pk), me.save(img, tmp_path / f"{pk}.png", "PNG"), "image")
    return pictures


def _query(img: Image.Image, tmp_path: Path, pk: int = 900):
    ENGINE.compute_file(("media", pk), me.save(img, tmp_path / f"q{pk}.jpg"), "image")
    return ENGINE.matches(("media", pk))


@pytest.mark.parametrize("edit", sorted(me.EDITS))
def test_each_edit_finds_the_original(stored, tmp_path, edit):
    for pk in (1, 2, 5):
        found = _query(me.EDITS[edit](stored[pk]), tmp_path, 900 + pk)
        assert [m.other for m in found] == [("media", pk)], (edit, pk, found)
        m = found[0]
        assert 0 < m.score <= 1 and m.medium == "image"
        assert set(m.detail) >= {"distance", "mirrored", "hash"}
        assert m.detail["mirrored"] is (edit == "mirror")


def test_identical_picture_scores_one_and_match_is_symmetric(stored, tmp_path):
    found = _query(stored[3], tmp_path)
    assert found[0].other == ("media", 3) and found[0].score >= 0.99 and found[0].detail["distance"] == 0
    assert ("media", 900) in [m.other for m in ENGINE.matches(("media", 3))]


def test_same_style_and_unrelated_pictures_do_not_match(stored, tmp_path):
    # Other pictures of the house style, other people's faces, other quarters of one photo.
    negatives = [me.synthetic(seed, (160, 120)) for seed in range(10, 22)]
    faces = me.faces(8, 96)
    negatives += faces[1:]
    for pk, img in enumerate(negatives, start=1000):
        assert _query(img, tmp_path, pk) == [], pk
    ENGINE.compute_file(("media", 2000), me.save(faces[0], tmp_path / "face.png", "PNG"), "image")
    assert ENGINE.matches(("media", 2000)) == []
    quarters = me.tiles("hubble_deep_field", 320)
    for pk, img in enumerate(quarters, start=3000):
        ENGINE.compute_file(("media", pk), me.save(img, tmp_path / f"t{pk}.png", "PNG"), "image")
    for pk in range(3000, 3004):
        assert ENGINE.matches(("media", pk)) == []


def test_blank_picture_is_not_fingerprinted(tmp_path, stored):
    path = me.save(Image.new("RGB", (120, 90), (40, 40, 40)), tmp_path / "blank.png", "PNG")
    ENGINE.compute_file(("media", 77), path, "image")
    assert not ImageSignature.objects.filter(subject_id=77).exists()
    assert ENGINE.matches(("media", 77)) == []


def test_recompute_replaces_rows_and_forget_drops_them(stored, tmp_path):
    assert PerceptualHash.objects.filter(subject_id=1, medium="image").count() == 10
    ENGINE.compute_file(("media", 1), me.save(stored[2], tmp_path / "other.png", "PNG"), "image")
    assert PerceptualHash.objects.filter(subject_id=1, medium="image").count() == 10
    assert ("media", 2) in [m.other for m in ENGINE.matches(("media", 1))]
    engines.forget(("media", 1))
    assert not PerceptualHash.objects.filter(subject_id=1).exists()
    assert not ImageSignature.objects.filter(subject_id=1).exists()


def test_registered_and_run_by_the_task(tmp_path, settings, pictures):
    assert engines.engine("image") is ENGINE and ENGINE.applies("image") and not ENGINE.applies("video")
    settings.MEDIA_ROOT = tmp_path / "media"
    medias = []
    for name, img in (("a.jpg", pictures[1]), ("b.jpg", me.EDITS["crop_corner_10"](pictures[1]))):
        path = me.save(img, tmp_path / name)
        with open(path, "rb") as fh:
            stored_name = default_storage.save(f"originals/{name}", File(fh, name=name))
        medias.append(MediaFile.objects.create(owner=f.user(), original=stored_name, filename=name, kind="image",
                                               content_type="image/jpeg", size=path.stat().st_size))
    for media in medias:
        assert "image" in tasks.fingerprint_file(media)
    found = [m for m in engines.matches(("media", medias[1].pk)) if m.medium == "image"]
    assert found and found[0].other == ("media", medias[0].pk)


def test_exif_orientation_is_applied(tmp_path, stored):
    # A camera's portrait photo: pixels stored sideways with an EXIF turn; hashes the upright picture.
    upright = stored[2]
    sideways = upright.transpose(Image.Transpose.ROTATE_90)
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to display"
    path = tmp_path / "sideways.jpg"
    sideways.save(path, "JPEG", quality=90, exif=exif.tobytes())
    ENGINE.compute_file(("media", 950), path, "image")
    assert [m.other for m in ENGINE.matches(("media", 950))] == [("media", 2)]
    assert ImageSignature.objects.get(subject_id=950).width == upright.width
