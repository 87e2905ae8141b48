"""Response headers and cookie settings that every page gets.

The Content-Security-Policy allows no inline script and no inline style but
one: every script and stylesheet is a file under /static, so an injected
``<script>`` in a document title or a search snippet cannot run.  The one
style is the rule OpenSeadragon adds to the page (no focus ring on touch
screens), allowed by its hash alone.
"""

from __future__ import annotations

import base64
import hashlib

from flask import Flask, Response

OPENSEADRAGON_STYLE = (
    "@media (hover: none) {    .openseadragon-canvas:focus {        outline: none !important;    }}"
)
"""The text of the ``<style>`` element OpenSeadragon 6.1.1 appends to the page."""


def style_hash(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode()).digest()).decode() + "'"


CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        f"style-src 'self' {style_hash(OPENSEADRAGON_STYLE)}",
        "img-src 'self' data:",
        "object-src 'none'",
        "base-uri 'none'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)


def configure(app: Flask, *, https: bool, form_targets: tuple[str, ...] = ()) -> None:
    """``form_targets``: origins a form may lead to besides this site (the identity
    provider's sign-in page, reached by the redirect of the BundID button)."""
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=https,
        SESSION_COOKIE_NAME="bauakte_session",
        REMEMBER_COOKIE_HTTPONLY=True,
        REMEMBER_COOKIE_SECURE=https,
        PERMANENT_SESSION_LIFETIME=8 * 3600,
    )
    csp = CSP.replace("form-action 'self'", " ".join(["form-action 'self'", *form_targets]))
    app.after_request(lambda response: _headers(response, csp))


def _headers(response: Response, csp: str) -> Response:
    headers = response.headers
    headers.setdefault("Content-Security-Policy", csp)
    headers["X-Content-Type-Options"] = "nosniff"
    headers["X-Frame-Options"] = "DENY"
    headers["Referrer-Policy"] = "same-origin"
    headers.setdefault("Cache-Control", "no-store")
    return response
