"""ClamAV through clamd (issue 12, point 5): the scanner `zhengji.media.clamav.scan` speaks clamd's
INSTREAM protocol on a unix socket or TCP; a test signature is found; what clamd did not read whole
is "not scanned", never clean. The daemon is Debian's, started by the `clamd` fixture with a tiny
database of test signatures (no network)."""

from __future__ import annotations

import io
import os

import pytest
from django.utils import translation
from pypdf import PdfWriter

from zhengji.common.errors import DomainError
from zhengji.media import clamav
from zhengji.media.models import MediaFile
from zhengji.media.processing.validation import HostileFile, MediaInvalid

from .conftest import EICAR, HASH_SIGNATURE, HASHED, SIGNATURE, stored_files

pytestmark = pytest.mark.django_db


def eicar_pdf(path):
    """A valid PDF carrying the EICAR string as an attachment (as a dropper would)."""
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_attachment("readme.com", EICAR)
    with open(path, "wb") as fh:
        writer.write(fh)
    return path


def test_clamd_starts_in_seconds_with_the_test_database(clamd, settings):
    assert clamd.startup < 15, clamd.startup  # measured here: well under a second
    settings.MEDIA_CLAMD_SOCKET = str(clamd.socket)
    assert clamav.ping()


def test_the_test_signatures_are_found_on_the_unix_socket(use_clamd):
    result = clamav.scan_stream(io.BytesIO(b"prefix " + EICAR + b" suffix"))
    assert result.status == "infected" and result.signature.startswith(SIGNATURE), result
    result = clamav.scan_stream(io.BytesIO(HASHED))
    assert result.status == "infected" and result.signature.startswith(HASH_SIGNATURE), result
    assert clamav.scan_stream(io.BytesIO(b"nothing to see here" * 100)).status == "clean"
    assert clamav.ping()


def test_tcp_works_the_same(use_clamd, settings):
    settings.MEDIA_CLAMD_SOCKET = None
    settings.MEDIA_CLAMD_HOST = "127.0.0.1"
    settings.MEDIA_CLAMD_PORT = use_clamd.port
    assert clamav.scan_stream(io.BytesIO(EICAR)).status == "infected"
    assert clamav.scan_stream(io.BytesIO(b"clean")).status == "clean"


def test_an_infected_upload_is_refused_and_not_kept(use_clamd, upload_ingest, tmp_path):
    up, result = upload_ingest(eicar_pdf(tmp_path / "invoice.pdf"), "office")
    assert isinstance(result, HostileFile)
    assert str(result).startswith("病毒扫描在此文件中发现 " + SIGNATURE), str(result)
    assert up.status == "aborted"
    assert not MediaFile.objects.exists() and stored_files() == []  # the staged bytes are deleted


def test_a_clean_file_is_accepted_and_recorded_as_scanned(use_clamd, ingest, tmp_path):
    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    path = tmp_path / "clean.pdf"
    with open(path, "wb") as fh:
        writer.write(fh)
    media = ingest(path, "office", process=False)
    assert media.probe["virus_scan"] == "clean"


def test_a_file_over_our_stream_limit_is_not_scanned_and_refused(use_clamd, ingest, tmp_path, settings):
    """Larger than MEDIA_CLAMD_STREAM_MAX_BYTES: not even sent; never taken for clean."""
    path = tmp_path / "big.txt"
    path.write_bytes(b"plain words, nothing else\n" * 120_000)  # ~3 MB
    settings.MEDIA_CLAMD_STREAM_MAX_BYTES = 1024 * 1024
    result = clamav.scan(path)
    assert result.status == "error" and result.reason == "too_large"
    with translation.override("en"), pytest.raises(MediaInvalid) as exc:
        ingest(path, "doc", process=False)
    assert str(exc.value) == ("The file is too large to be scanned for viruses, so it was not accepted. "
                              "Please upload a smaller file.")
    assert not MediaFile.objects.exists()
    settings.MEDIA_VIRUS_SCAN_FAIL_OPEN = True  # let it in, but say it was not scanned
    assert ingest(path, "doc", process=False).probe["virus_scan"] == "unscanned"


def test_clamds_own_stream_limit_is_an_error_not_clean(use_clamd, tmp_path, settings):
    """Our setting above clamd's StreamMaxLength (2M here): clamd cuts the stream off."""
    settings.MEDIA_CLAMD_STREAM_MAX_BYTES = 64 * 1024 * 1024
    path = tmp_path / "big.bin"
    path.write_bytes(os.urandom(3 * 1024 * 1024))
    result = clamav.scan(path)
    assert result.status == "error" and result.reason == "too_large", result


def test_clamds_scan_limits_are_an_error_not_clean(use_clamd, tmp_path):
    """Within StreamMaxLength but over MaxFileSize (1M): with AlertExceedsMax, clamd says
    Heuristics.Limits.Exceeded, which is "not scanned" (the EICAR string at the end went unseen)."""
    path = tmp_path / "over.bin"
    path.write_bytes(os.urandom(1536 * 1024) + EICAR)
    result = clamav.scan(path)
    assert result.status == "error" and result.reason == "too_large", result
    assert "Heuristics.Limits.Exceeded" in result.detail


def test_clamd_down_is_unavailable(ingest, tmp_path, settings):
    settings.MEDIA_VIRUS_SCANNER = "zhengji.media.clamav.scan"
    settings.MEDIA_CLAMD_SOCKET = str(tmp_path / "no-such.sock")
    result = clamav.scan_stream(io.BytesIO(b"x"))
    assert result.status == "error" and result.reason == "unavailable"
    path = tmp_path / "a.txt"
    path.write_text("hello")
    with pytest.raises(DomainError) as exc:
        ingest(path, "doc", process=False)
    assert exc.value.code == "scan_unavailable" and exc.value.status == 503
    settings.MEDIA_CLAMD_SOCKET = None
    settings.MEDIA_CLAMD_HOST = None
    assert clamav.scan_stream(io.BytesIO(b"x")).status == "error"  # nothing configured


def test_clamd_answers_are_read_right():
    assert clamav.interpret("stream: OK").status == "clean"
    assert clamav.interpret("stream: Win.Test.EICAR_HDB-1 FOUND").signature == "Win.Test.EICAR_HDB-1"
    assert clamav.interpret("INSTREAM size limit exceeded. ERROR").reason == "too_large"
    assert clamav.interpret("stream: Heuristics.Limits.Exceeded.MaxFileSize FOUND").reason == "too_large"
    assert clamav.interpret("").status == "error"
