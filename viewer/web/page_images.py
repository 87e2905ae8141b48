"""Page images and thumbnails, behind the same access rules as the documents.

Images are private and revalidated on every use (``private, no-cache``):
the browser keeps the bytes but asks first, so a revoked grant ends at
once, and the answer is a cheap 304 while the grant lasts.  The ETag names
the content (the original's hash plus the rendition), so it never changes
for the same bytes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable

from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required

from docstore.models import Blob
from docstore.redaction_text import Box
from docstore.services import archive, redactions
from ingest.rebuild import rebuild_page
from viewer.renditions import Rendition, fixed_width, page_image, thumbnail

from .context import instance
from .outgoing import current_mark, outgoing_tag, prepare_rendition

bp = Blueprint("images", __name__)


def _page_original(
    document_id: int, number: int
) -> tuple[str, tuple[Box, ...], Callable[[], None]]:
    """The original's hash, the regions to black out for this user, and how to rebuild the
    page's renditions if they are lost."""
    user = current_user.user
    with instance().db.session() as s:
        page = archive.open_page(s, user, document_id, number)
        sha = page.document.blob_sha256
        regions = redactions.regions(s, page.id, actor=user)
    return sha, regions, lambda: _rebuild(sha, number)


def _rebuild(sha: str, number: int) -> None:
    """Only when a rendition is lost: the original's type is looked up then, not on every
    image request (a thumbnail strip asks for dozens)."""
    with instance().db.session() as s:
        mime = s.get(Blob, sha).mime_type  # type: ignore[union-attr]
    rebuild_page(instance().store, sha, mime, number, instance().config.image_max_pixels)


def _image_response(rendition: Rendition, regions: tuple[Box, ...]) -> Response:
    """The stored rendition, for external users with the redacted regions blacked out and
    their mark drawn over it (the stored bytes stay clean and shared)."""
    mark = current_mark()
    name = f"{rendition.key}:{outgoing_tag(mark, regions)}"
    etag = hashlib.sha256(name.encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        data = prepare_rendition(rendition.data, mark, regions)
        response = Response(data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/documents/<id:document_id>/pages/<id:number>/thumb.jpg")
@login_required
def page_thumbnail(document_id: int, number: int) -> Response:
    sha, regions, rebuild = _page_original(document_id, number)
    return _image_response(thumbnail(instance().store, sha, number, rebuild), regions)


@bp.route("/documents/<id:document_id>/pages/<id:number>/image.jpg")
@login_required
def page_image_jpeg(document_id: int, number: int) -> Response:
    requested = request.args.get("w", type=int)
    width = fixed_width(requested)
    if requested is not None and requested != width:
        abort(404)  # only the fixed widths exist: the cache stays bounded
    sha, regions, rebuild = _page_original(document_id, number)
    return _image_response(page_image(instance().store, sha, number, width, rebuild), regions)
