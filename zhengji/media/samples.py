"""Generators of real media files for the tests, the demo loader and the benchmarks.

Every function writes one file at `path` (a str or Path; parent folders are created) and returns
the Path. Nothing here is committed as a binary: media are made on demand with Pillow, ffmpeg and
espeak-ng, all present on the machine.
"""

from __future__ import annotations

import io
import shutil
import struct
import subprocess
import tempfile
import zipfile
import zlib
from pathlib import Path

import pillow_heif
from PIL import Image, ImageDraw

FFMPEG = "ffmpeg"


def _prep(path) -> Path:
    p = Path(path)
    p.parent.mkdir(parents=True, exist_ok=True)
    return p


def _ffmpeg(*args: str) -> None:
    subprocess.run([FFMPEG, "-hide_banner", "-loglevel", "error", "-y", *args], check=True, timeout=120,
                   stdin=subprocess.DEVNULL)


def _picture(width: int, height: int, text: str = "") -> Image.Image:
    """A colourful, non-trivial picture (gradient and shapes) so encoders do real work."""
    img = Image.linear_gradient("L").resize((width, height)).convert("RGB")
    r, g, b = img.split()
    flip = Image.Transpose
    img = Image.merge("RGB", (r, g.transpose(flip.FLIP_LEFT_RIGHT), b.transpose(flip.FLIP_TOP_BOTTOM)))
    draw = ImageDraw.Draw(img)
    draw.ellipse((width // 4, height // 4, width * 3 // 4, height * 3 // 4), outline=(255, 255, 255),
                 width=max(1, width // 80))
    if text:
        draw.text((10, 10), text, fill=(255, 255, 0))
    return img


def exif_with_gps(*, orientation: int | None = None) -> Image.Exif:
    """EXIF with camera, date and GPS tags (a spot in Tongling), to test that renditions strip them."""
    exif = Image.Exif()
    exif[0x010F] = "ZhengjiCam"  # Make
    exif[0x0110] = "Sample 1"  # Model
    exif[0x0132] = "2025:07:01 10:00:00"  # DateTime
    exif[0x013B] = "Sample Author"  # Artist
    if orientation:
        exif[0x0112] = orientation
    gps = {
        1: "N", 2: (30.0, 56.0, 42.0),  # GPSLatitudeRef, GPSLatitude
        3: "E", 4: (117.0, 48.0, 36.0),  # GPSLongitudeRef, GPSLongitude
    }
    exif[0x8825] = gps  # GPSInfo IFD
    return exif


def make_jpeg(path, width: int = 640, height: int = 480, *, exif: bool = True, orientation: int | None = None,
              quality: int = 85) -> Path:
    p = _prep(path)
    img = _picture(width, height, "JPEG")
    kwargs = {"quality": quality}
    if exif:
        kwargs["exif"] = exif_with_gps(orientation=orientation).tobytes()
    img.save(p, "JPEG", **kwargs)
    return p


def make_png(path, width: int = 640, height: int = 480) -> Path:
    p = _prep(path)
    _picture(width, height, "PNG").save(p, "PNG")
    return p


def make_heic(path, width: int = 640, height: int = 480, *, exif: bool = True) -> Path:
    p = _prep(path)
    img = _picture(width, height, "HEIC")
    heif = pillow_heif.from_pillow(img)
    kwargs = {"quality": 60}
    if exif:
        kwargs["exif"] = exif_with_gps().tobytes()
    heif.save(p, **kwargs)
    return p


def make_video(path, duration: float = 2, width: int = 320, height: int = 240, *, fmt: str | None = None,
               audio: bool = True, faststart: bool = False, rate: int = 15, noise: int = 0) -> Path:
    """A test-pattern video with a sine tone. The container follows `fmt` or the suffix:
    mp4/mov/m4v → H.264 + AAC, webm → VP8 + Opus, mkv → H.264 + AAC. `noise` (0–100) adds
    temporal noise, which the encoder cannot compress: a few seconds make a file of several MB,
    for upload tests that need many chunks without a long clip."""
    p = _prep(path)
    fmt = (fmt or p.suffix.lstrip(".") or "mp4").lower()
    args = ["-f", "lavfi", "-i", f"testsrc=duration={duration}:size={width}x{height}:rate={rate}"]
    if audio:
        args += ["-f", "lavfi", "-i", f"sine=frequency=440:duration={duration}:sample_rate=22050"]
    if noise:
        args += ["-vf", f"noise=alls={int(noise)}:allf=t"]
    if fmt == "webm":
        args += ["-c:v", "libvpx", "-b:v", "200k", "-deadline", "realtime", "-cpu-used", "8"]
        if audio:
            args += ["-c:a", "libopus", "-b:a", "32k"]
        args += ["-f", "webm"]
    else:
        args += ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
        if audio:
            args += ["-c:a", "aac", "-b:a", "48k"]
        if faststart:
            args += ["-movflags", "+faststart"]
        args += ["-f", {"mov": "mov", "mkv": "matroska", "m4v": "mp4"}.get(fmt, "mp4")]
    if audio:
        args += ["-shortest"]
    _ffmpeg(*args, str(p))
    return p


def make_audio(path, duration: float = 2, *, fmt: str | None = None, speech: str | None = None,
               frequency: int = 440) -> Path:
    """A sine tone (or espeak-ng speech of `speech`, e.g. a recitation) as mp3, wav, m4a or ogg."""
    p = _prep(path)
    fmt = (fmt or p.suffix.lstrip(".") or "mp3").lower()
    codec = {"mp3": ["-c:a", "libmp3lame", "-b:a", "64k", "-f", "mp3"],
             "wav": ["-c:a", "pcm_s16le", "-f", "wav"],
             "m4a": ["-c:a", "aac", "-b:a", "64k", "-f", "ipod"],
             "ogg": ["-c:a", "libopus", "-b:a", "32k", "-f", "ogg"]}[fmt]
    with tempfile.TemporaryDirectory() as tmp:
        if speech is not None and shutil.which("espeak-ng"):
            wav = Path(tmp) / "speech.wav"
            voice = "cmn" if any("\u4e00" <= ch <= "\u9fff" for ch in speech) else "en"
            subprocess.run(["espeak-ng", "-v", voice, "-w", str(wav), speech], check=True, timeout=60,
                           stdin=subprocess.DEVNULL, capture_output=True)
            source = ["-i", str(wav)]
        else:
            source = ["-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={duration}:sample_rate=22050"]
        _ffmpeg(*source, *codec, str(p))
    return p


def make_pdf(path, pages: int = 1, text: str = "Zhengji sample") -> Path:
    """A minimal valid PDF (hand-written objects with a correct xref table)."""
    p = _prep(path)
    objects: list[bytes] = []
    kids = " ".join(f"{3 + 2 * i} 0 R" for i in range(pages))
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {pages} >>".encode())
    font_id = 3 + 2 * pages
    for i in range(pages):
        content = f"BT /F1 24 Tf 72 720 Td ({text} {i + 1}) Tj ET".encode()
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents {4 + 2 * i} 0 R "
                       f"/Resources << /Font << /F1 {font_id} 0 R >> >> >>".encode())
        objects.append(b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream")
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>")
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % n + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for off in offsets:
        out.write(b"%010d 00000 n \n" % off)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    p.write_bytes(out.getvalue())
    return p


def make_docx(path, text: str = "征集 sample document") -> Path:
    """A minimal valid Word document (the OOXML parts Word needs), built as a zip."""
    p = _prep(path)
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'),
        "word/document.xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
            f'<w:body><w:p><w:r><w:t>{text}</w:t></w:r></w:p></w:body></w:document>'),
    }
    with zipfile.ZipFile(p, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in parts.items():
            z.writestr(name, xml)
    return p


def make_big_png(path, width: int, height: int, mode: str = "RGBA", *, stripes: bool = True) -> Path:
    """A PNG of any size written row by row (never the whole picture in memory): `mode` "RGBA",
    "RGB", "L" or "1"; grey stripes every 64 rows so it is not a single colour. An 88 MP RGBA one is
    a few hundred KB: exactly the small file that costs hundreds of MB to decode."""
    p = _prep(path)
    depth, colour, channels = {"RGBA": (8, 6, 4), "RGB": (8, 2, 3), "L": (8, 0, 1), "1": (1, 0, 1)}[mode]
    row_bytes = (width * channels * depth + 7) // 8
    plain = b"\x00" + b"\x00" * row_bytes
    grey = b"\x00" + b"\x80" * row_bytes

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    with open(p, "wb") as out:
        out.write(b"\x89PNG\r\n\x1a\n")
        out.write(chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, depth, colour, 0, 0, 0)))
        comp = zlib.compressobj(6)
        for y in range(height):
            data = comp.compress(grey if stripes and (y // 64) % 2 else plain)
            if data:
                out.write(chunk(b"IDAT", data))
        out.write(chunk(b"IDAT", comp.flush()))
        out.write(chunk(b"IEND", b""))
    return p


def make_zip_bomb_docx(path, inflated: int = 1024**3, *, member: str = "word/media/image1.bin") -> Path:
    """A real DOCX (make_docx) with one extra member of `inflated` zero bytes, deflated: 1 GiB is
    about 1 MB on the wire. Written in 1 MB blocks (never the whole member in memory)."""
    p = make_docx(path)
    block = b"\x00" * (1024 * 1024)
    with (zipfile.ZipFile(p, "a", zipfile.ZIP_DEFLATED, compresslevel=9) as z,
          z.open(member, "w", force_zip64=True) as fh):
        left = inflated
        while left > 0:
            fh.write(block[: min(left, len(block))])
            left -= len(block)
    return p


def make_pdf_polyglot(path) -> Path:
    """A file that starts as a PDF and is HTML: "%PDF-1.4" then a web page with a script."""
    p = _prep(path)
    p.write_bytes(b"%PDF-1.4\n<html><body><script>alert(document.domain)</script>"
                  b"<p>not a document</p></body></html>\n")
    return p


def make_text_as(path, text: str = "This is not a video at all.\n" * 20) -> Path:
    """Plain text under whatever name `path` has (e.g. fake.mp4)."""
    p = _prep(path)
    p.write_text(text, encoding="utf-8")
    return p


def make_png_as_jpg(path, width: int = 640, height: int = 480) -> Path:
    """A real PNG named .jpg."""
    p = _prep(path)
    _picture(width, height, "PNG").save(p, "PNG")
    return p


def make_truncated_video(path, duration: float = 2, width: int = 320, height: int = 240, keep: float = 0.3,
                         *, mend_box: bool = False) -> Path:
    """An MP4 whose header (moov, first thanks to faststart) is intact but most of the media data
    is cut off: refused at ingest (its mdat box claims more bytes than the file has). With
    `mend_box` the mdat box's size is set to what is left, as a tool that rewrote the file would:
    then it passes the ingest checks (magic bytes, boxes, ffprobe) and fails when transcoded."""
    p = _prep(path)
    make_video(p, duration, width, height, faststart=True)
    data = bytearray(p.read_bytes())
    mdat = data.find(b"mdat")
    cut = mdat + max(64, int((len(data) - mdat) * keep))
    data = data[:cut]
    if mend_box:
        data[mdat - 4:mdat] = struct.pack(">I", cut - (mdat - 4))
    p.write_bytes(bytes(data))
    return p


def _zeros_deflated(inflated: int) -> tuple[bytes, int]:
    """A raw deflate stream of `inflated` zero bytes (a multiple of 1 MiB) and its CRC, made in
    well under a second: after a full flush each 1 MiB compresses to the same ~1 KB, so that piece
    is repeated instead of deflating a gigabyte."""
    mib = 1024 * 1024
    block = b"\x00" * mib
    comp = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = comp.compress(block) + comp.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(inflated // mib):
        crc = zlib.crc32(block, crc)
    return piece * (inflated // mib) + comp.flush(), crc


_OOXML_MAIN = {"xlsx": ("xl/workbook.xml", "spreadsheetml.sheet.main+xml", "spreadsheetml/2006/main",
                        "workbook"),
               "pptx": ("ppt/presentation.xml", "presentationml.presentation.main+xml", "presentationml/2006/main",
                        "presentation")}


def _ooxml_parts(kind: str) -> list[tuple[str, bytes]]:
    """The few parts that make a ZIP an XLSX or PPTX to content sniffers (`filetype`)."""
    main, ctype, ns, root = _OOXML_MAIN[kind]
    types = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Types xmlns="http://schemas.openxmlformats.org/'
             'package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/>'
             f'<Override PartName="/{main}" ContentType="application/vnd.openxmlformats-officedocument.{ctype}"/>'
             '</Types>')
    rels = ('<?xml version="1.0" encoding="UTF-8" standalone="yes"?><Relationships xmlns="http://schemas.'
            'openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.'
            f'openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="{main}"/></Relationships>')
    body = f'<?xml version="1.0" encoding="UTF-8"?><{root} xmlns="http://schemas.openxmlformats.org/{ns}"/>'
    return [("[Content_Types].xml", types.encode()), ("_rels/.rels", rels.encode()), (main, body.encode())]


def make_lying_zip_docx(path, inflated: int = 1024**3, *, declared: int | None = 4096,
                        member: str = "", overlap: bool = False, kind: str = "docx") -> Path:
    """A DOCX (or `kind` "xlsx", "pptx") written byte by byte (its usual first members, then a
    bomb): `member` (default `<word|xl|ppt>/media/image1.bin`) inflates to `inflated` zero bytes (a
    multiple of 1 MiB; ~1 KB a MiB on the wire) but its headers declare `declared` bytes (None: the
    truth). With `overlap`, ten more directory entries point at the bomb's data (the "overlapping
    files" bomb)."""
    if kind == "docx":
        p = make_docx(path)
        with zipfile.ZipFile(p) as z:
            parts = [(info.filename, z.read(info.filename)) for info in z.infolist()]
    else:
        p = _prep(path)
        parts = _ooxml_parts(kind)
    member = member or {"docx": "word", "xlsx": "xl", "pptx": "ppt"}[kind] + "/media/image1.bin"
    data, crc = _zeros_deflated(inflated)
    size = inflated if declared is None else declared
    if declared is not None:  # the CRC of what the headers claim
        crc = zlib.crc32(b"\x00" * declared)
    entries: list[tuple[bytes, int, int, int, int, int]] = []  # name, method, crc, csize, usize, offset
    with open(p, "wb") as out:
        def local(name: bytes, method: int, crc: int, csize: int, usize: int, body: bytes) -> None:
            entries.append((name, method, crc, csize, usize, out.tell()))
            out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, method, 0, 0x21, crc, csize, usize,
                                  len(name), 0) + name + body)

        for name, body in parts:
            local(name.encode(), 0, zlib.crc32(body), len(body), len(body), body)
        local(member.encode(), 8, crc, len(data), size, data)
        if overlap:
            bomb = entries[-1]
            entries += [(f"word/media/copy{i}.bin".encode(), *bomb[1:]) for i in range(10)]
        start = out.tell()
        for name, method, crc_, csize, usize, offset in entries:
            out.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, method, 0, 0x21, crc_, csize, usize,
                                  len(name), 0, 0, 0, 0, 0, offset) + name)
        end = out.tell()
        out.write(struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(entries), len(entries), end - start, start, 0))
    return p
