"""The hostile-content checks must not refuse what people really upload: progressive JPEGs with
EXIF and ICC, a second picture after a JPEG (MPO), animated GIFs with comments, PNGs with XMP,
WebP, TIFF, high-entropy pictures, and texts that merely mention markup."""

from __future__ import annotations

import os

import pytest
from PIL import Image, PngImagePlugin

from zhengji.media import samples
from zhengji.media.filerules import FileRule
from zhengji.media.processing import content
from zhengji.media.processing.validation import validate_path

IMAGE = FileRule(kinds=["image"])
XMP = (b'<?xpacket begin="\xef\xbb\xbf" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
       b'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description/></rdf:RDF>'
       b'</x:xmpmeta><?xpacket end="w"?>')


@pytest.mark.parametrize("head,kind", [
    (b"<!DOCTYPE html><title>x</title>", "html"),
    (b"\xef\xbb\xbf\n  <HTML><body>", "html"),
    (b"<script>alert(1)</script>", "html"),
    (b"<!-- hi --><p>text", "html"),
    (b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg"/>', "svg"),
    (b"<!-- drawn by hand -->\n<svg width='1'/>", "svg"),
    (b"<svg>", "svg"),
    (b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "b">]><x>&a;</x>', "xml"),
    (b"Dear jury,\n<?php echo 1; ?>", "php"),
    (b"<?= $x ?>", "php"),
    (b"\xe5\xbe\x81\xe6\x96\x87 <<\xe7\xba\xa2\xe6\xa5\xbc\xe6\xa2\xa6>> a < b, <html in the text", None),
    (b"Plain words.", None),
])
def test_markup_type(head, kind):
    assert content.markup_type(head) == kind


def check(path) -> str:
    return validate_path(path, filename=os.path.basename(path), rule=IMAGE).type.ext


def test_real_pictures_pass(tmp_path, settings):
    settings.MEDIA_VIRUS_SCANNER = None
    pic = samples._picture(1600, 1200, "text")
    exif = samples.exif_with_gps().tobytes()
    pic.save(tmp_path / "prog.jpg", "JPEG", progressive=True, exif=exif, icc_profile=b"\x00" * 3000, xmp=XMP)
    assert check(tmp_path / "prog.jpg") == "jpg"
    # MPO-like: a second JPEG after the first one's end.
    second = (tmp_path / "prog.jpg").read_bytes()
    (tmp_path / "pair.jpg").write_bytes(second + second)
    assert check(tmp_path / "pair.jpg") == "jpg"
    frames = [samples._picture(320, 240, str(i)).convert("P") for i in range(3)]
    frames[0].save(tmp_path / "anim.gif", save_all=True, append_images=frames[1:], loop=0, duration=100,
                   comment=b"made with love")
    assert check(tmp_path / "anim.gif") == "gif"
    info = PngImagePlugin.PngInfo()
    info.add_itxt("XML:com.adobe.xmp", XMP.decode("utf-8"))
    info.add_text("Software", "GIMP 2.10")
    pic.save(tmp_path / "x.png", "PNG", pnginfo=info)
    assert check(tmp_path / "x.png") == "png"
    pic.save(tmp_path / "x.webp", "WEBP")
    assert check(tmp_path / "x.webp") == "webp"
    pic.save(tmp_path / "x.tif", "TIFF")
    assert check(tmp_path / "x.tif") == "tif"


def test_high_entropy_pictures_pass(tmp_path, settings):
    """Noise compresses to random bytes: the place where chance markers would show up."""
    settings.MEDIA_VIRUS_SCANNER = None
    for i in range(3):
        noise = Image.frombytes("RGB", (1500, 1500), os.urandom(1500 * 1500 * 3))
        noise.save(tmp_path / f"noise{i}.png")
        noise.save(tmp_path / f"noise{i}.jpg", quality=98)
        assert check(tmp_path / f"noise{i}.png") == "png"
        assert check(tmp_path / f"noise{i}.jpg") == "jpg"


def test_layout_finds_the_end_of_each_format(tmp_path):
    pic = samples._picture(800, 600)
    pic.save(tmp_path / "a.jpg", "JPEG", progressive=True, exif=samples.exif_with_gps().tobytes())
    pic.save(tmp_path / "a.png", "PNG")
    pic.convert("P").save(tmp_path / "a.gif", "GIF", comment=b"hello")
    for name, ext in (("a.jpg", "jpg"), ("a.png", "png"), ("a.gif", "gif")):
        layout = content.image_layout(tmp_path / name, ext)
        assert layout is not None and layout.end == (tmp_path / name).stat().st_size, name
    assert content.image_layout(tmp_path / "a.png", "webp") is None
    (tmp_path / "cut.png").write_bytes((tmp_path / "a.png").read_bytes()[:500])
    assert content.image_layout(tmp_path / "cut.png", "png") is None  # left to Pillow to refuse
