"""The CSP allows no inline styles or scripts, so no template may carry a style="" attribute, a
<style> block or a <script> without src (issue 7 point 12). Templates rendered to PDF on the
server (never served to a browser) are the one exception, listed here with the reason."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "zhengji"

# Rendered by WeasyPrint into a PDF (zhengji/entries/receipt.py, zhengji/reporting/documents.py);
# no browser ever loads them.
PDF_ONLY = {"entries/templates/entries/receipt.html", "reporting/templates/reporting/pdf/_style.html"}

STYLE_ATTR = re.compile(r"""\sstyle\s*=\s*["'{]""", re.I)
STYLE_BLOCK = re.compile(r"<style[\s>]", re.I)
SCRIPT_TAG = re.compile(r"<script\b[^>]*>", re.I)


def templates():
    for path in sorted(ROOT.rglob("*.html")):
        rel = path.relative_to(ROOT).as_posix()
        if "/templates/" in f"/{rel}" and "/static/" not in f"/{rel}":
            yield rel, path.read_text(encoding="utf-8")


def offences(text: str) -> list[str]:
    found = [f"style attribute: {m.group(0).strip()}" for m in STYLE_ATTR.finditer(text)]
    found += ["<style> block" for _ in STYLE_BLOCK.finditer(text)]
    found += [f"inline script: {m.group(0)}" for m in SCRIPT_TAG.finditer(text)
              if not re.search(r"\ssrc\s*=", m.group(0), re.I)
              and not re.search(r"""type\s*=\s*["']application/(ld\+)?json["']""", m.group(0), re.I)]
    return found


def test_no_inline_styles_or_scripts_in_templates():
    bad = {rel: offences(text) for rel, text in templates() if rel not in PDF_ONLY}
    bad = {rel: found for rel, found in bad.items() if found}
    assert bad == {}, "move these to a class in a CSS file / a static JS file:\n" + "\n".join(
        f"  {rel}: {found}" for rel, found in bad.items())


def test_pdf_only_templates_exist():
    assert all((ROOT / rel).exists() for rel in PDF_ONLY)


def test_the_check_catches_what_it_should():
    assert offences('<div style="width: 1px">') and offences("<p STYLE='x'>")
    assert offences("<style>p{}</style>") and offences("<script>alert(1)</script>")
    assert not offences('<script src="/static/x.js" defer></script>')
    assert not offences('<script type="application/json" id="d">{}</script>')  # data, not code
    assert not offences('<div class="zj-mw-32" data-style="x">')
