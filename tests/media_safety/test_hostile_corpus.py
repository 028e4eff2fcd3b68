"""The corpus of hostile files (issue 12, "Done when"), generated here (no committed binaries):
each is uploaded as a browser would (a finished tus upload, then ingest) and must be refused with a
clear message; a hostile one leaves nothing in storage (its upload aborted, the staged bytes
deleted), a merely broken one leaves only its staged upload. Then the neutralised cases: what a
photo legitimately carries after its end is never passed on, since renditions are re-encoded."""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from PIL import Image

from zhengji.common.models import AuditLog
from zhengji.media import samples
from zhengji.media.models import MediaFile, MediaStatus
from zhengji.media.processing.validation import HostileFile, MediaInvalid

from .conftest import stored_files

pytestmark = pytest.mark.django_db

SCRIPT = b"<script>alert(document.cookie)</script>"
PAGE = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>\n"


def png(tmp: Path, name: str = "p.png", size=(400, 300)) -> Path:
    return samples.make_png(tmp / name, *size)


def jpeg(tmp: Path, name: str = "p.jpg", **kw) -> Path:
    return samples.make_jpeg(tmp / name, 640, 480, **kw)


def gif(tmp: Path, name: str = "p.gif") -> Path:
    path = tmp / name
    samples._picture(300, 200).convert("P").save(path, "GIF")
    return path


def append(path: Path, data: bytes, name: str | None = None) -> Path:
    out = path.with_name(name or path.name)
    out.write_bytes(path.read_bytes() + data)
    return out


def png_text_chunk(tmp: Path) -> Path:
    path = png(tmp)
    data = path.read_bytes()
    body = b"Comment\x00" + SCRIPT
    chunk = struct.pack(">I", len(body)) + b"tEXt" + body + struct.pack(">I", zlib.crc32(b"tEXt" + body))
    at = data.find(b"IDAT") - 4
    out = tmp / "comment.png"
    out.write_bytes(data[:at] + chunk + data[at:])
    return out


def jpeg_php_comment(tmp: Path) -> Path:
    path = tmp / "avatar.jpg"
    samples._picture(640, 480).save(path, "JPEG", comment=b"<?php system($_GET['c']); ?>")
    return path


def gif_header_script(tmp: Path) -> Path:
    path = tmp / "anim.gif"
    path.write_bytes(b"GIF89a" + b"\x2f\x2a\x0a\x00\x00\xff\x00" + b"*/=1;" + SCRIPT + b"\x00\x3b")
    return path


def svg(tmp: Path, name: str, body: bytes) -> Path:
    path = tmp / name
    path.write_bytes(body)
    return path


SVG_SCRIPT = (b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' + SCRIPT + b"</svg>")
SVG_XXE = (b'<?xml version="1.0"?>\n<!DOCTYPE svg [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'
           b'<svg xmlns="http://www.w3.org/2000/svg"><text>&xxe;</text></svg>')
LAUGHS = (b'<?xml version="1.0"?>\n<!DOCTYPE lolz [\n <!ENTITY lol "lol">\n'
          + b"".join(b' <!ENTITY lol%d "%s">\n' % (i, b"".join(b"&lol%s;" % (b"" if i == 1 else b"%d" % (i - 1))
                                                                 for _ in range(10))) for i in range(1, 10))
          + b"]>\n<lolz>&lol9;</lolz>\n")


def laughs_docx(tmp: Path) -> Path:
    path = samples.make_docx(tmp / "laughs.docx")
    with zipfile.ZipFile(path) as z:
        parts = {i.filename: z.read(i.filename) for i in z.infolist()}
    parts["word/document.xml"] = LAUGHS
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, body in parts.items():
            z.writestr(name, body)
    return path


def pixel_flood_png(tmp: Path) -> Path:
    """A 100,000×100,000 PNG of a hundred bytes: ten gigapixels declared, almost nothing inside."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    path = tmp / "flood.png"
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100_000, 100_000, 1, 0, 0, 0, 0))
                     + chunk(b"IDAT", zlib.compress(b"\x00" * 1000)) + chunk(b"IEND", b""))
    return path


def pixel_flood_gif(tmp: Path) -> Path:
    """A 65535×65535 GIF of a few bytes: 4.3 gigapixels declared."""
    path = tmp / "flood.gif"
    path.write_bytes(b"GIF89a" + struct.pack("<HH", 65535, 65535) + b"\x80\x00\x00" + b"\x00\x00\x00\xff\xff\xff"
                     + b"\x2c" + struct.pack("<HHHH", 0, 0, 65535, 65535) + b"\x00\x02\x02\x44\x01\x00\x3b")
    return path


def zip_payload() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        z.writestr("Main.class", b"\xca\xfe\xba\xbe" + b"\x00" * 64)
    return buf.getvalue()


def mp4_with_page(tmp: Path) -> Path:
    return append(samples.make_video(tmp / "clip.mp4", 1, 320, 240), PAGE)


# (id, builder(tmp) -> path, file name as uploaded (None: the path's), slot, English message start, hostile)
CORPUS = [
    ("png-html-polyglot", lambda t: append(png(t), PAGE), None, "image",
     "The PNG image has 1 KB of other data after the end of the picture", True),
    ("png-script-in-text-chunk", png_text_chunk, None, "image",
     "The PNG image contains web page or script code (<script)", True),
    ("gif-header-before-script", gif_header_script, None, "photo",
     "The GIF image contains web page or script code (<script)", True),
    ("gif-with-script-after-its-end", lambda t: append(gif(t), SCRIPT), None, "image",
     "The GIF image has 1 KB of other data after the end of the picture", True),
    ("jpeg-php-in-comment", jpeg_php_comment, None, "photo",
     "The JPEG image contains web page or script code (<?php", True),
    ("jpeg-html-after-its-end", lambda t: append(jpeg(t), PAGE), None, "photo",
     "The JPEG image contains web page or script code (<!doctype html", True),
    ("html-disguised-as-jpeg", lambda t: svg(t, "photo.jpg", PAGE), None, "photo",
     "The file is HTML file, not JPEG image, PNG image, GIF image", True),
    ("php-disguised-as-jpeg", lambda t: svg(t, "shell.jpg", b"<?php echo shell_exec($_GET['c']); ?>\n"), None,
     "photo", "The file is PHP file, not JPEG image", True),
    ("double-extension-html", lambda t: append(jpeg(t), b"", "x.jpg.html"), None, "photo",
     "Files of type .html are not accepted here", False),
    ("double-extension-html-any-image", lambda t: append(jpeg(t), b"", "x.jpg.html"), None, "image",
     "The file is named .html but its content is JPEG image", False),
    ("double-extension-php", lambda t: append(jpeg(t), b"", "x.php.jpg"), None, "photo",
     "The file name x.php.jpg hides another type (.php) before its extension", True),
    ("svg-with-script", lambda t: svg(t, "logo.svg", SVG_SCRIPT), None, "image",
     "The file is SVG file, not image", True),
    ("svg-with-script-as-text", lambda t: svg(t, "logo.txt", SVG_SCRIPT), None, "doc",
     "The file is SVG file, not document", True),
    ("svg-with-external-entity", lambda t: svg(t, "map.svg", SVG_XXE), None, "image",
     "The file is SVG file, not image", True),
    ("billion-laughs-xml", lambda t: svg(t, "data.txt", LAUGHS), None, "doc",
     "The file is XML file, not document", True),
    ("billion-laughs-in-docx", laughs_docx, None, "office",
     "The part document.xml of the DOCX document declares a document type or entities", True),
    ("zip-bomb-docx", lambda t: samples.make_lying_zip_docx(t / "report.docx", declared=None), None, "office",
     "The DOCX document unpacks to more than 256.0 MB", True),
    ("zip-bomb-docx-lying-about-its-size", lambda t: samples.make_lying_zip_docx(t / "report.docx"), None,
     "office", "The part image1.bin of the DOCX document unpacks to more than the 4 KB it declares", True),
    ("zip-bomb-xlsx-lying-about-its-size", lambda t: samples.make_lying_zip_docx(t / "sheet.xlsx", kind="xlsx"),
     None, "office", "The part image1.bin of the XLSX document unpacks to more than the 4 KB it declares", True),
    ("zip-bomb-pptx", lambda t: samples.make_lying_zip_docx(t / "slides.pptx", kind="pptx", declared=None), None,
     "office", "The PPTX document unpacks to more than 256.0 MB", True),
    ("zip-bomb-overlapping-members", lambda t: samples.make_lying_zip_docx(t / "o.docx", 1024 * 1024,
                                                                          declared=None, overlap=True),
     None, "office", "Parts of the DOCX document share their data", True),
    ("pixel-flood-png", pixel_flood_png, None, "image",
     "The image has 10000 megapixels, over the limit of 150 megapixels.", False),
    ("pixel-flood-gif", pixel_flood_gif, None, "image",
     "The image has 4295 megapixels, over the limit of 150 megapixels.", False),
    ("truncated-mp4", lambda t: samples.make_truncated_video(t / "cut.mp4", 2, 320, 240), None, "video",
     "The MP4 video is incomplete: the file ends after", False),
    ("text-disguised-as-mp4", lambda t: samples.make_text_as(t / "film.mp4"), None, "video",
     "The file content is not MP4 video, MOV video (detected as plain text).", False),
    ("mp4-with-html-after-its-end", mp4_with_page, None, "video",
     "The MP4 video contains web page or script code (<!doctype html", True),
    ("jpeg-with-a-zip-behind-it", lambda t: append(jpeg(t), zip_payload(), "gifar.jpg"), None, "photo",
     "The JPEG image has another file (ZIP) hidden in it", True),
    ("jpeg-with-a-program-behind-it", lambda t: append(jpeg(t), b"MZ\x90\x00" + b"\x00" * 200, "x.jpg"), None,
     "photo", "The JPEG image has another file (EXE) hidden in it", True),
    ("mp4-with-a-zip-behind-it", lambda t: append(samples.make_video(t / "c.mp4", 1, 320, 240), zip_payload()),
     None, "video", "The MP4 video has another file (ZIP) hidden in it", True),
    ("webp-with-a-zip-behind-it", lambda t: webp_zip(t), None, "image",
     "The WEBP image has another file (ZIP) hidden in it", True),
]


def webp_zip(tmp: Path) -> Path:
    path = tmp / "p.webp"
    samples._picture(320, 240).save(path, "WEBP")
    return append(path, zip_payload())


@pytest.mark.parametrize("build,filename,slot,message,hostile", [c[1:] for c in CORPUS],
                         ids=[c[0] for c in CORPUS])
def test_hostile_file_is_refused_with_a_clear_message(build, filename, slot, message, hostile, tmp_path,
                                                      upload_ingest):
    path = build(tmp_path)
    with translation.override("en"):
        up, result = upload_ingest(path, slot, filename=filename or path.name)
    assert isinstance(result, MediaInvalid), result
    assert str(result).startswith(message), str(result)
    assert isinstance(result, HostileFile) == hostile
    assert not MediaFile.objects.exists()
    if hostile:  # nothing of it is kept: the upload is aborted and its bytes deleted, and that is audited
        assert up.status == "aborted" and stored_files() == []
        log = AuditLog.objects.get(action="media.upload_refused", object_id=str(up.pk))
        assert log.reason == str(result)
    else:  # the user's upload stays as it was (to attach elsewhere); nothing else was stored
        assert up.status == "complete" and [p.name for p in stored_files()] == ["upload-under-test"]


def test_messages_are_translated_in_chinese(tmp_path, upload_ingest):
    """The Chinese UI shows the translated message (catalogue entries in /tmp/i18n/safety.json,
    merged by the lead); until merged, gettext falls back to English: either way one clear sentence."""
    _up, result = upload_ingest(append(png(tmp_path), PAGE), "image")
    assert isinstance(result, HostileFile)
    assert "PNG" in str(result) and len(result.messages) == 1


# --- neutralised: what legitimately follows a picture never reaches anyone else --------------------

def test_jpeg_with_a_motion_photo_trailer_is_taken_and_the_trailer_not_passed_on(ingest, tmp_path):
    """Phones append a video after a JPEG's end (motion photos): allowed when it holds no markup;
    the renditions are new JPEGs without it (and without EXIF/GPS)."""
    trailer = b"\x00\x00\x00\x18ftypmp42" + b"MOTIONPHOTO-TRAILER" * 500
    path = append(jpeg(tmp_path, exif=True), trailer, "motion.jpg")
    media = ingest(path, "photo")
    assert media.status == MediaStatus.READY, media.error
    for field in (media.web, media.thumbnail):
        data = Path(field.path).read_bytes()
        assert b"MOTIONPHOTO" not in data and b"ZhengjiCam" not in data
        with Image.open(io.BytesIO(data)) as im:
            assert not im.getexif() and "exif" not in im.info


def test_ordinary_files_still_pass(ingest, tmp_path):
    assert ingest(png(tmp_path), "image").status == MediaStatus.READY
    assert ingest(gif(tmp_path), "photo", process=False).probe["type"] == "gif"
    assert ingest(jpeg(tmp_path), "photo", process=False).probe["type"] == "jpg"
    assert ingest(samples.make_docx(tmp_path / "ok.docx"), "office", process=False).probe["type"] == "docx"
    book = openpyxl.Workbook()
    book.active["A1"] = "参赛作品清单"
    book.save(tmp_path / "list.xlsx")
    assert ingest(tmp_path / "list.xlsx", "office", process=False).probe["type"] == "xlsx"
    essay = tmp_path / "essay.txt"
    essay.write_text("征文：我的工会生活。<- 一个箭头，a < b 以及 <html 之类的字眼也照样是文字。\n" * 50)
    assert ingest(essay, "doc", process=False).probe["type"] == "txt"
    report = tmp_path / "v2.0.final.jpg"  # dots in a name are fine; only runnable types are not
    report.write_bytes(jpeg(tmp_path).read_bytes())
    assert ingest(report, "photo", process=False).filename == "v2.0.final.jpg"
