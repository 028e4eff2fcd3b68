"""Helpers of the judge area's tests: assignments of the review world, and media files carrying a
planted author name, phone number and unit in their metadata (made at test time with Pillow,
ffmpeg and pypdf; nothing binary is committed)."""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

from PIL import Image, PngImagePlugin
from pypdf import PdfReader, PdfWriter
from pypdf.generic import DecodedStreamObject, NameObject

from tests.review.builders import ReviewWorld
from zhengji.entries.models import EntryAuthor, EntryFile
from zhengji.media import samples
from zhengji.review.models import Assignment

# The planted identity: what a judge must never get.
AUTHOR = "欧阳明远"
AUTHOR_LATIN = "OuyangMingyuan"
PHONE = "13912345678"
UNIT = "鹊江印刷厂工会"
UNIT_LATIN = "QuejiangPrintingUnion"
PLANTED = (AUTHOR, AUTHOR_LATIN, PHONE, UNIT, UNIT_LATIN)


def needles(planted=PLANTED) -> list[bytes]:
    """Each planted text as the bytes it may take in a file: UTF-8, UTF-16 (both byte orders)."""
    out: list[bytes] = []
    for text in planted:
        for enc in ("utf-8", "utf-16-le", "utf-16-be"):
            out.append(text.encode(enc))
    return out


def leaks(data: bytes | str, planted=PLANTED) -> list[str]:
    """The planted texts found in `data` (a page, a JSON body, a header, a file's bytes)."""
    if isinstance(data, str):
        return [t for t in planted if t in data]
    found = []
    for text in planted:
        if any(n in data for n in needles((text,))):
            found.append(text)
    return found


def assign(world: ReviewWorld, rnd, entries, judge_user) -> list[Assignment]:
    return [Assignment.objects.create(round=rnd, entry=e, judge=judge_user) for e in entries]


def plant_identity(entry) -> None:
    """The author, phone and unit planted in the entry's own fields."""
    EntryAuthor.objects.filter(entry=entry).delete()
    EntryAuthor.objects.create(entry=entry, name=AUTHOR, unit_name=UNIT, position=0)
    entry.contact_phone = PHONE
    entry.save(update_fields=["contact_phone"])
    unit = entry.unit
    unit.name = UNIT
    unit.save(update_fields=["name"])
    sub = entry.submitter
    sub.real_name = AUTHOR
    sub.save(update_fields=["real_name"])


# --- media with planted metadata --------------------------------------------------------------

def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120,
                   stdin=subprocess.DEVNULL)


def planted_jpeg(path: Path) -> Path:
    """A JPEG with EXIF Artist/Copyright, GPS, an XMP packet and a comment naming the author."""
    exif = samples.exif_with_gps()
    exif[0x013B] = f"{AUTHOR_LATIN} {PHONE}"  # Artist
    exif[0x8298] = f"(c) {UNIT_LATIN}"  # Copyright
    xmp = (f'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#">'
           f'<rdf:Description xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{AUTHOR}</dc:creator>'
           f'<dc:rights>{UNIT}</dc:rights></rdf:Description></rdf:RDF></x:xmpmeta>').encode()
    img = samples._picture(640, 480, "JPEG")
    img.save(path, "JPEG", quality=85, exif=exif.tobytes(), xmp=xmp, comment=f"{AUTHOR_LATIN} {PHONE}".encode())
    return path


def planted_png(path: Path) -> Path:
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", AUTHOR_LATIN)
    info.add_itxt("Copyright", UNIT, lang="zh", tkey="版权")
    exif = Image.Exif()
    exif[0x013B] = PHONE
    samples._picture(400, 300, "PNG").save(path, "PNG", pnginfo=info, exif=exif.tobytes())
    return path


def planted_mp3(path: Path) -> Path:
    _ffmpeg("-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=22050", "-c:a", "libmp3lame",
            "-b:a", "64k", "-id3v2_version", "3", "-write_id3v1", "1",
            "-metadata", f"artist={AUTHOR} {PHONE}", "-metadata", f"album={UNIT}",
            "-metadata", f"comment={AUTHOR_LATIN} {UNIT_LATIN}", "-f", "mp3", str(path))
    return path


def planted_mp4(path: Path) -> Path:
    _ffmpeg("-f", "lavfi", "-i", "testsrc=duration=2:size=320x240:rate=15",
            "-f", "lavfi", "-i", "sine=frequency=440:duration=2:sample_rate=22050",
            "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p", "-c:a", "aac", "-b:a", "48k",
            "-metadata", f"artist={AUTHOR} {PHONE}", "-metadata", f"comment={UNIT} {AUTHOR_LATIN}",
            "-metadata", f"title={UNIT_LATIN}",
            "-metadata:s:v", f"handler_name={AUTHOR_LATIN}", "-metadata:s:a", f"handler_name={UNIT_LATIN}",
            "-shortest", "-f", "mp4", str(path))
    return path


def planted_pdf(path: Path) -> Path:
    plain = samples.make_pdf(path.with_suffix(".plain.pdf"), pages=2)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.add_metadata({"/Author": AUTHOR, "/Creator": UNIT, "/Subject": PHONE, "/Title": AUTHOR_LATIN})
    xmp = DecodedStreamObject()
    xmp.set_data((f'<?xpacket begin="" id="W5M0MpCehiHzreSzNTczkc9d"?><x:xmpmeta xmlns:x="adobe:ns:meta/">'
                  f'<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"><rdf:Description '
                  f'xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:creator>{AUTHOR_LATIN} {PHONE}</dc:creator>'
                  f'</rdf:Description></rdf:RDF></x:xmpmeta><?xpacket end="w"?>').encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    writer._root_object[NameObject("/Metadata")] = writer._add_object(xmp)
    with open(path, "wb") as fh:
        writer.write(fh)
    plain.unlink()
    return path


def planted_docx(path: Path) -> Path:
    samples.make_docx(path)
    core = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties" '
            'xmlns:dc="http://purl.org/dc/elements/1.1/">'
            f'<dc:creator>{AUTHOR}</dc:creator><cp:lastModifiedBy>{AUTHOR_LATIN} {PHONE}</cp:lastModifiedBy>'
            '</cp:coreProperties>')
    app = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
           '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
           f'<Company>{UNIT}</Company><Manager>{UNIT_LATIN}</Manager></Properties>')
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as z:
        z.writestr("docProps/core.xml", core)
        z.writestr("docProps/app.xml", app)
    return path


def attach(entry, media, slot: str) -> None:
    EntryFile.objects.create(entry=entry, media=media, slot=slot,
                             position=EntryFile.objects.filter(entry=entry, slot=slot).count())
