"""CSRF tokens for the web forms, derived from a secret the browser holds but cannot leak.

A signed-in form carries `HMAC-SHA256(key=session cookie, msg=PURPOSE)`. The session
cookie is HttpOnly and SameSite=Strict, so a page on another site can neither read it nor
compute the token; the token in the page does not reveal the cookie (HMAC is one-way), and
it differs from the SHA-256 the database keeps of the cookie, so a reader of the database
cannot forge it either. No server-side key is needed: the token is stable across worker
processes and restarts (`forge serve --workers N`), and it dies with the session.

The sign-in form has no session yet: it uses a double-submit cookie. `GET /login` sets a
random, HttpOnly, SameSite=Strict pre-session cookie and puts the HMAC of it in the form;
`POST /login` accepts only a form whose token matches the cookie it came with.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

CSRF_FIELD = "csrf_token"
LOGIN_COOKIE = "alliedforge_login_csrf"
PURPOSE = b"alliedforge web form v1"


def token_for(secret: str) -> str:
    """The form token bound to `secret` (a session cookie, or the pre-session cookie)."""
    return hmac.new(secret.encode(), PURPOSE, hashlib.sha256).hexdigest()


def is_valid(secret: str | None, token: str | None) -> bool:
    """Whether `token` is the form token of `secret` (compared in constant time)."""
    if not secret or not token:
        return False
    return hmac.compare_digest(token_for(secret), token)


def new_login_secret() -> str:
    """A fresh pre-session secret for the sign-in form's double-submit cookie."""
    return secrets.token_urlsafe(32)
