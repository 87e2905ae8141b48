"""API authentication: a bearer token, or the browser's session (then with a CSRF token).

A request with a token never needs CSRF protection: a browser does not add
the header on its own.  A request riding on the session cookie must carry
the CSRF token (``X-CSRFToken``) for anything but reading.
"""

from __future__ import annotations

from flask import g, request
from flask_login import current_user
from flask_smorest import abort

from docstore.models import User
from docstore.services import tokens

from ..web.context import instance
from ..web.extensions import csrf, login_manager

SAFE = frozenset({"GET", "HEAD", "OPTIONS"})
TOKEN_ENDPOINTS = frozenset(
    {
        "images.page_thumbnail",
        "images.page_image_jpeg",
        "downloads.download",
        "applications.proof",
        "iiif.base",
        "iiif.image_info",
        "iiif.image",
        "iiif_presentation.document_manifest",
        "iiif_presentation.document_search",
        "hits.page_hits",
    }
)
"""Outside the API, a token opens only the image and download URLs the API hands out."""


def token_allowed(endpoint: str | None) -> bool:
    """Tokens are for programs: the API and its links, never the HTML pages and forms."""
    if endpoint is None:
        return False
    return endpoint.startswith("api_") or endpoint in TOKEN_ENDPOINTS


@login_manager.request_loader
def user_from_token(req) -> object | None:
    header = req.headers.get("Authorization", "")
    if not header.startswith("Bearer ") or not token_allowed(req.endpoint):
        return None
    from ..web.accounts import SignedIn

    db = instance().db
    with db.session() as s:
        token = tokens.live_token(s, header.removeprefix("Bearer ").strip())
        user = s.get(User, token.user_id) if token is not None else None
    if token is None or user is None:
        return None
    if tokens.needs_touch(token):  # a write only once a minute per token
        with db.transaction() as s:
            tokens.touch(s, token.id)
    g.api_token = True
    return SignedIn(user)


def before_api_request() -> None:
    if not current_user.is_authenticated:
        abort(401, message="sign in or send 'Authorization: Bearer <token>'")
    if request.method not in SAFE and not g.get("api_token"):
        csrf.protect()


def me() -> User:
    return current_user.user
