"""Original downloads: always attachments, named with the extension of their sniffed type,
with byte ranges for large plans.

The ranges are served here rather than by Werkzeug's ``make_conditional``
/ ``send_file``, for two measured reasons (Werkzeug 3.1): its range wrapper
reads a non-seekable stream from byte 0 and discards up to the start, so a
range at the end of a 2 GB plan would read 2 GB from the object store
instead of asking it for the range; and it honours a weak ``If-Range``
validator, where RFC 9110 13.1.5 asks for the strong comparison (a weak
one must get the whole file).
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

from flask import Blueprint, Response, request
from flask_login import current_user, login_required

from docstore.services import archive, extract_jobs, plan_consents, redactions
from ingest.extracts import quality_of
from ingest.flatten import flattened_copy
from storage import original_key

from .context import instance
from .refusals import refusals_recorded

bp = Blueprint("downloads", __name__)


@bp.route("/documents/<id:document_id>/download")
@login_required
def download(document_id: int) -> Response:
    with (
        refusals_recorded(current_user.user, document_id, "download"),
        instance().db.transaction() as s,
    ):
        kinds = plan_consents.plan_kinds(instance().config)
        doc = archive.for_download(s, current_user.user, document_id, plan_kinds=kinds)
        blob = doc.blob
        mime, active = blob.mime_type, doc.active_content
        name = download_name(doc.original_name, mime)
        regions = redactions.regions_by_page(s, doc.id, actor=current_user.user)
        pages = extract_jobs.document_pages(doc, regions) if regions else ()
    if pages:
        return _flattened(blob.sha256, pages, name)
    key = original_key(blob.sha256)
    size = blob.size  # known from registration: no round trip to the store
    rng = request.range if _range_applies(blob.sha256) else None
    bounds = rng.range_for_length(size) if rng is not None else None
    if rng is not None and bounds is None:
        return Response(status=416, headers={"Content-Range": f"bytes */{size}"})
    start, stop = bounds or (0, size)
    # "active content" files and anything a browser might run are never shown inline
    mimetype = "application/octet-stream" if active else (mime or _guess(name))
    response = _stored(key, start, stop - start, mimetype)
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Content-Length"] = str(stop - start)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    response.set_etag(blob.sha256)
    response.accept_ranges = "bytes"
    if rng is not None and bounds is not None:
        response.status_code = 206
        response.content_range = rng.to_content_range_header(size)
    return response


def _flattened(sha256: str, pages: tuple, name: str) -> Response:
    """A redacted document: the flattened copy, never the original (whole, no ranges)."""
    key, size = flattened_copy(instance().store, sha256, pages, quality_of(instance().config))
    stem = name.rpartition(".")[0] or name
    return attachment_response(key, f"{stem} (geschwärzt).pdf", "application/pdf", size, False)


def attachment_response(key: str, name: str, mime: str, size: int, active: bool) -> Response:
    """A small stored file (an applicant's proof) as an attachment, never shown inline."""
    name = download_name(name, mime)
    mimetype = "application/octet-stream" if active else mime
    response = _stored(key, 0, size, mimetype)
    response.headers["Content-Disposition"] = _attachment(name)
    response.headers["Content-Length"] = str(size)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return response


def _stored(key: str, start: int, length: int, mimetype: str) -> Response:
    """Stored bytes as a streamed body. The store is asked for the object here, in the
    view, so one that is away or refuses our key gives the error page, never a 200 cut
    short; the bytes are opened only when the body is read, so nothing stays open for a
    response whose body nobody reads."""
    store = instance().store
    store.stat(key)
    return Response(_chunks(store, key, start, length), mimetype=mimetype, direct_passthrough=True)


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
