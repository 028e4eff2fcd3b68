"""The receipt PDF: a real PDF whose text carries the entry number, title, track and files."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from django.urls import reverse

from zhengji.entries.files import files_of

pytestmark = pytest.mark.django_db


def pdf_text(data: bytes, tmp_path) -> str:
    assert shutil.which("pdftotext"), "pdftotext (poppler-utils) is installed by `make system-deps`"
    path = tmp_path / "receipt.pdf"
    path.write_bytes(data)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


def test_receipt_pdf_content(client, world, tmp_path):
    e = world.submitted()
    client.force_login(world.worker)
    r = client.get(reverse("entries:receipt", args=[e.pk]))
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert r.content.startswith(b"%PDF")
    text = pdf_text(r.content, tmp_path)
    m = files_of(e).get()
    for needle in (e.number, "我的作品", world.track.name, world.tree["ya1"].name, "张三", e.pledge_version,
                   "photo.png", m.sha256[:16]):
        assert needle in text.replace("\n", ""), needle
    assert world.worker.phone not in text  # masked on paper too


def test_receipt_for_admin_of_subtree(client, world, tmp_path):
    e = world.submitted()
    client.force_login(world.yian_admin)
    r = client.get(reverse("entries:receipt", args=[e.pk]))
    assert r.status_code == 200 and e.number in pdf_text(r.content, tmp_path)
