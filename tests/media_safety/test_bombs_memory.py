"""Memory stays bounded while bombs are refused (issue 12, "Done when"): a DOCX whose member
inflates to 1 GiB (declaring it, or lying about it), an XML entity bomb and a pixel flood are
refused with a few MB at most, measured with tracemalloc in the test process and as the peak RSS
growth (VmHWM) of a fresh process."""

from __future__ import annotations

import json
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from pathlib import Path

import pytest
from django.utils import translation

from zhengji.media import samples
from zhengji.media.filerules import FileRule
from zhengji.media.processing import documents
from zhengji.media.processing.validation import HostileFile, MediaInvalid, validate_path

from .test_hostile_corpus import LAUGHS, pixel_flood_png

MB = 1024 * 1024
LIMIT = 50 * MB
OFFICE = FileRule(kinds=["document"], extensions=["docx"], max_size_mb=16)


@pytest.fixture(scope="module")
def bombs(tmp_path_factory) -> dict[str, Path]:
    d = tmp_path_factory.mktemp("bombs")
    laughs = d / "laughs.txt"
    laughs.write_bytes(LAUGHS)
    return {
        "declared": samples.make_lying_zip_docx(d / "declared.docx", declared=None),  # says 1 GiB
        "lying": samples.make_lying_zip_docx(d / "lying.docx"),  # says 4 KB, inflates to 1 GiB
        "laughs": laughs,
        "flood": pixel_flood_png(d),
    }


def test_the_bombs_really_are_bombs(bombs):
    with zipfile.ZipFile(bombs["declared"]) as z:
        assert z.getinfo("word/media/image1.bin").file_size == 1024**3
    assert bombs["lying"].stat().st_size < 2 * MB
    raw = documents.zlib.decompressobj(-15)
    data = bombs["lying"].read_bytes()
    start = data.find(b"word/media/image1.bin") + len("word/media/image1.bin")
    assert len(raw.decompress(data[start:start + 64 * 1024], 256 * MB)) >= 60 * MB  # ~1000:1 and more to come


@pytest.mark.parametrize("name,rule,message", [
    ("declared", OFFICE, "unpacks to more than 256.0 MB"),
    ("lying", OFFICE, "unpacks to more than the 4 KB it declares"),
    ("laughs", FileRule(kinds=["document"]), "XML"),
    ("flood", FileRule(kinds=["image"]), "10000 megapixels"),
])
def test_refusing_a_bomb_takes_little_memory(bombs, name, rule, message, settings):
    settings.MEDIA_VIRUS_SCANNER = None
    tracemalloc.start()
    try:
        with translation.override("en"), pytest.raises(MediaInvalid) as exc:
            validate_path(bombs[name], filename=bombs[name].name, rule=rule)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert message in str(exc.value), str(exc.value)
    assert peak < LIMIT, f"{name}: {peak / MB:.1f} MB"


CHILD = """
import json, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhengji.settings")
import django
django.setup()
from zhengji.media.filerules import FileRule
from zhengji.media.processing import validation

def hwm():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) * 1024

rule = FileRule(kinds=["document"], extensions=["docx"], max_size_mb=16)
validation.validate_path(sys.argv[1], filename="warm.docx", rule=rule)  # warm up: imports, caches
before = hwm()
try:
    validation.validate_path(sys.argv[2], filename="bomb.docx", rule=rule)
    outcome = "accepted"
except validation.HostileFile:
    outcome = "refused"
print(json.dumps({"before": before, "after": hwm(), "outcome": outcome}))
"""


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux /proc")
@pytest.mark.parametrize("name", ["declared", "lying"])
def test_peak_rss_of_a_fresh_process_refusing_a_1_gib_docx(bombs, name, tmp_path):
    warm = samples.make_docx(tmp_path / "warm.docx")
    env = {**os.environ, "MEDIA_VIRUS_SCANNER": ""}
    proc = subprocess.run([sys.executable, "-c", CHILD, str(warm), str(bombs[name])], capture_output=True,
                          timeout=300, env=env, check=True)
    out = json.loads(proc.stdout.decode().strip().splitlines()[-1])
    assert out["outcome"] == "refused"
    assert out["after"] - out["before"] < LIMIT, out


def test_hostile_file_is_what_bombs_raise(bombs, settings):
    settings.MEDIA_VIRUS_SCANNER = None
    with pytest.raises(HostileFile):
        validate_path(bombs["lying"], filename="x.docx", rule=OFFICE)


def test_a_png_text_chunk_bomb_is_read_only_in_part(tmp_path, settings):
    """A zTXt chunk inflating to 256 MB (a few hundred KB on disk) and a 32 MB tEXt chunk: the
    metadata scan reads at most 1 MB of each, so the check stays small."""
    settings.MEDIA_VIRUS_SCANNER = None

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    base = samples.make_png(tmp_path / "a.png", 300, 200).read_bytes()
    comp = zlib.compressobj(9)
    bomb = b"".join(comp.compress(b"\x00" * MB) for _ in range(256)) + comp.flush()
    extra = chunk(b"zTXt", b"Comment\x00\x00" + bomb) + chunk(b"tEXt", b"Comment\x00" + b"x" * (32 * MB))
    at = base.find(b"IDAT") - 4
    path = tmp_path / "text-bomb.png"
    path.write_bytes(base[:at] + extra + base[at:])
    del extra
    tracemalloc.start()
    try:
        with translation.override("en"), pytest.raises(MediaInvalid) as exc:
            validate_path(path, filename="text-bomb.png", rule=FileRule(kinds=["image"]))
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Our scan read 1 MB of each chunk; then Pillow refuses text over its MAX_TEXT_CHUNK (1 MB).
    assert str(exc.value) == "The image could not be read: it may be damaged or incomplete."
    assert peak < 16 * MB, f"{peak / MB:.1f} MB"
