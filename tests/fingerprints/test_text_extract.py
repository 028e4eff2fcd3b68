"""Text out of .txt/.docx/.pdf for the text engine: bounded, and safe with hostile documents."""

from __future__ import annotations

import pytest

from tests.fingerprints import text_edits as E
from zhengji.fingerprints import engines
from zhengji.fingerprints.models import TextPrint
from zhengji.fingerprints.text import ENGINE
from zhengji.fingerprints.textextract import MAX_CHARS, extract
from zhengji.media import samples

pytestmark = pytest.mark.django_db

BODY = E.text(7, 7, paragraphs=2)


def test_txt_in_utf8_and_gb18030_is_read(tmp_path):
    (tmp_path / "a.txt").write_text(BODY, encoding="utf-8-sig")
    (tmp_path / "b.txt").write_bytes(BODY.encode("gb18030"))
    assert extract(tmp_path / "a.txt") == BODY == extract(tmp_path / "b.txt")


def test_a_docx_matches_the_typed_text(tmp_path):
    docx = samples.make_docx(tmp_path / "commentary.docx", text=BODY.replace("\n", ""))
    assert extract(docx).strip() == BODY.replace("\n", "")
    assert "text" in engines.compute_file(("media", 1), docx, "document")
    ENGINE.compute_text(("entrytext", 1), BODY)
    (m,) = ENGINE.matches(("media", 1))
    assert m.other == ("entrytext", 1) and m.score == 1.0 and m.detail["kind"] == "identical"


def test_a_pdf_is_read_page_by_page(tmp_path):
    line = "Union members read poems about the workers of the harbour and the night shift at the mill"
    pdf = samples.make_pdf(tmp_path / "poems.pdf", pages=2, text=line)
    got = extract(pdf)
    assert got.count("Union members") == 2
    ENGINE.compute_file(("media", 1), pdf, "document")
    ENGINE.compute_text(("entrytext", 1), f"{line} 1\n{line} 2")
    (m,) = ENGINE.matches(("entrytext", 1))
    assert m.other == ("media", 1) and m.score >= 0.9


def test_hostile_and_foreign_documents_give_no_text(tmp_path):
    bomb = samples.make_zip_bomb_docx(tmp_path / "bomb.docx", inflated=64 * 1024**2)  # refused by its ratio
    fake_pdf = tmp_path / "fake.pdf"
    fake_pdf.write_bytes(b"%PDF-1.4\n<html><script>alert(1)</script></html>")
    sheet = tmp_path / "table.xlsx"
    sheet.write_bytes(b"PK\x03\x04 not really")
    for path in (bomb, fake_pdf, sheet):
        assert extract(path) == ""
        ENGINE.compute_file(("media", 1), path, "document")
    assert not TextPrint.objects.exists()


def test_output_is_bounded(tmp_path):
    big = tmp_path / "big.txt"
    big.write_text("职工" * (MAX_CHARS * 2), encoding="utf-8")
    assert len(extract(big)) == MAX_CHARS


def test_text_engine_applies_to_documents_only():
    assert ENGINE.applies("document") and not ENGINE.applies("image") and not ENGINE.applies("audio")
