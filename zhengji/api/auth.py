from __future__ import annotations

from ninja.security import SessionAuth

from zhengji.accounts.tokens import TokenAuth


def auth_methods():
    # Bearer tokens for scripts, session auth (with CSRF for unsafe methods) for the browser.
    # The token goes first: SessionAuth stops the chain when its CSRF check fails, which would
    # refuse a token-authenticated POST that carries no CSRF token (and needs none).
    return [TokenAuth(), SessionAuth()]
