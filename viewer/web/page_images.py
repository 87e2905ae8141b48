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
from dataclasses import dataclass

from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required

from docstore.models import Blob
from docstore.redaction_text import Box
from docstore.services import archive, redactions
from ingest.rebuild import rebuild_page
from storage import original_key
from viewer.iiif.sources import PdfSource
from viewer.renditions import Rendition, fixed_width, page_image, thumbnail

from .context import instance
from .iiif import local_files
from .outgoing import current_mark, outgoing_tag, prepare_rendition

bp = Blueprint("images", __name__)


@dataclass(frozen=True)
class _Outgoing:
    sha256: str
    regions: tuple[Box, ...]
    raster: tuple[float, float] | None
    """A PDF page's width in points and its picture's resolution, where it is redacted."""
    rebuild: Callable[[], None]


def _page_original(document_id: int, number: int) -> _Outgoing:
    """The original's hash, the regions to black out for this user (with what a scanned
    PDF's picture adds to them), and how to rebuild the page's renditions if lost."""
    user = current_user.user
    with instance().db.session() as s:
        page = archive.open_page(s, user, document_id, number)
        sha, mime = page.document.blob_sha256, page.document.blob.mime_type
        regions = redactions.regions(s, page.id, actor=user)
    raster = None
    if regions and mime == "application/pdf":
        source = PdfSource.open(local_files.path(instance().store, original_key(sha)), number)
        raster = (source.points[0], source.raster_dpi) if source.raster_dpi else None
    return _Outgoing(sha, regions, raster, lambda: _rebuild(sha, number))


def _rebuild(sha: str, number: int) -> None:
    """Only when a rendition is lost: the original's type is looked up then, not on every
    image request (a thumbnail strip asks for dozens)."""
    with instance().db.session() as s:
        mime = s.get(Blob, sha).mime_type  # type: ignore[union-attr]
    rebuild_page(instance().store, sha, mime, number, instance().config.image_max_pixels)


def _image_response(rendition: Rendition, out: _Outgoing) -> Response:
    """The stored rendition, for external users with the redacted regions blacked out and
    their mark drawn over it (the stored bytes stay clean and shared)."""
    mark = current_mark()
    name = f"{rendition.key}:{outgoing_tag(mark, out.regions)}"
    etag = hashlib.sha256(name.encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        data = prepare_rendition(rendition.data, mark, out.regions, out.raster)
        response = Response(data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/documents/<id:document_id>/pages/<id:number>/thumb.jpg")
@login_required
def page_thumbnail(document_id: int, number: int) -> Response:
    out = _page_original(document_id, number)
    return _image_response(thumbnail(instance().store, out.sha256, number, out.rebuild), out)


@bp.route("/documents/<id:document_id>/pages/<id:number>/image.jpg")
@login_required
def page_image_jpeg(document_id: int, number: int) -> Response:
    requested = request.args.get("w", type=int)
    width = fixed_width(requested)
    if requested is not None and requested != width:
        abort(404)  # only the fixed widths exist: the cache stays bounded
    out = _page_original(document_id, number)
    rendition = page_image(instance().store, out.sha256, number, width, out.rebuild)
    return _image_response(rendition, out)
