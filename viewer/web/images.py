"""Page images, thumbnails and original downloads: bytes behind the same access rules.

Images are private and revalidated on every use (``private, no-cache``):
the browser keeps the bytes but asks first, so a revoked grant ends at
once, and the answer is a cheap 304 while the grant lasts.  The ETag names
the content (the original's hash plus the rendition), so it never changes
for the same bytes.  Downloads are always attachments, named with the
extension of their sniffed type, with byte ranges for large plans.
"""

from __future__ import annotations

import hashlib
import mimetypes
from urllib.parse import quote

from flask import Blueprint, Response, abort, request
from flask_login import current_user, login_required

from docstore.models import Document
from docstore.services import archive
from ingest.renditions import Rendition, fixed_width, page_image, thumbnail
from storage import original_key

from .context import instance

bp = Blueprint("images", __name__)


def _page_document(document_id: int, number: int) -> Document:
    with instance().db.session() as s:
        page = archive.open_page(s, current_user.user, document_id, number)
        return page.document


def _image_response(rendition: Rendition) -> Response:
    etag = hashlib.sha256(rendition.key.encode()).hexdigest()[:32]
    response = Response(rendition.data, mimetype="image/jpeg")
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


@bp.route("/documents/<id:document_id>/pages/<id:number>/thumb.jpg")
@login_required
def page_thumbnail(document_id: int, number: int) -> Response:
    doc = _page_document(document_id, number)
    return _image_response(thumbnail(instance().store, doc.blob_sha256, number))


@bp.route("/documents/<id:document_id>/pages/<id:number>/image.jpg")
@login_required
def page_image_jpeg(document_id: int, number: int) -> Response:
    requested = request.args.get("w", type=int)
    width = fixed_width(requested)
    if requested is not None and requested != width:
        abort(404)  # only the fixed widths exist: the cache stays bounded
    doc = _page_document(document_id, number)
    return _image_response(page_image(instance().store, doc.blob_sha256, number, width))


@bp.route("/documents/<id:document_id>/download")
@login_required
def download(document_id: int) -> Response:
    with instance().db.transaction() as s:
        doc = archive.for_download(s, current_user.user, document_id)
        blob = doc.blob
        mime, active = blob.mime_type, doc.active_content
        name = download_name(doc.original_name, mime)
    store = instance().store
    key = original_key(blob.sha256)
    size = blob.size  # known from registration: no round trip to the store
    # "active content" files and anything a browser might run are never shown inline
    mimetype = "application/octet-stream" if active else (mime or _guess(name))
    response = Response(_chunks(store, key, 0, size), mimetype=mimetype, direct_passthrough=True)
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.set_etag(blob.sha256)
    response.accept_ranges = "bytes"
    rng = request.range if _range_applies(blob.sha256) else None
    if rng is not None and (bounds := rng.range_for_length(size)) is not None:
        start, stop = bounds
        response.response = _chunks(store, key, start, stop - start)
        response.status_code = 206
        response.content_range = rng.to_content_range_header(size)
        response.headers["Content-Length"] = str(stop - start)
    elif rng is not None:
        return Response(status=416, headers={"Content-Range": f"bytes */{size}"})
    return response


def _chunks(store, key: str, start: int, length: int, chunk: int = 1 << 20):
    with store.open(key, start, length) as stream:
        while data := stream.read(chunk):
            yield data


def _range_applies(etag: str) -> bool:
    """RFC 9110 If-Range: a part only of the very same file, else the whole file (200)."""
    header = request.headers.get("If-Range", "").strip()
    if not header:
        return True
    if header.startswith("W/"):  # a weak validator never matches (strong comparison)
        return False
    if_range = request.if_range
    return if_range.date is None and if_range.etag == etag


EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/tiff": (".tif", ".tiff"),
    "image/jpeg": (".jpg", ".jpeg"),
    "image/png": (".png",),
}
"""The extensions a download may keep for its sniffed type; the first is added otherwise."""


def download_name(name: str, mime: str | None) -> str:
    """The uploaded name, with the extension of what the file is (a PDF sent as .html is .pdf)."""
    wanted = EXTENSIONS.get(mime or "")
    if wanted is None:
        return name
    stem, dot, ext = name.rpartition(".")
    if dot and f".{ext.lower()}" in wanted:
        return name
    if dot and stem and len(ext) <= 10:  # a wrong extension is replaced, not kept in front
        name = stem
    return name + wanted[0]


def _guess(name: str) -> str:
    return mimetypes.guess_type(name)[0] or "application/octet-stream"


def _attachment(name: str) -> str:
    """Both filename forms (RFC 6266); a name with quotes or control characters cannot break out."""
    name = "".join(c for c in name if c.isprintable()) or "download"
    ascii_name = name.encode("ascii", "replace").decode().replace('"', "_").replace("?", "_")
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
