"""Django's {# … #} comments are one line only: one that runs on prints itself to the visitor (the
vote box did once). Every template of ours is checked with Django's own lexer."""

from pathlib import Path

from django.template.base import Lexer, TokenType

ROOT = Path(__file__).resolve().parents[2] / "zhengji"


def test_no_template_shows_a_comment_that_runs_over_lines():
    leaks = []
    templates = [p for p in ROOT.rglob("*.html") if "/static/" not in str(p)] + list(ROOT.rglob("*.txt"))
    assert len(templates) > 100
    for path in templates:
        if "templates" not in path.parts:
            continue
        for token in Lexer(path.read_text(encoding="utf-8")).tokenize():
            if token.token_type == TokenType.TEXT and "{#" in token.contents:
                leaks.append(f"{path.relative_to(ROOT)}:{token.lineno}")
    assert not leaks, leaks
