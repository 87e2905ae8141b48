"""IIIF Image API 3.0 for every page: ``/iiif/3/<page>/info.json`` and the image requests.

Behind the same permission check as the page images (docstore's
``open_image_page``: a page the user may not see does not exist, 404), the
same mark for external users (``outgoing``) and the same caching (private,
revalidated, ETag naming the bytes and the mark).  No audit
event per tile: the visit of a document is recorded where the document is
opened (the viewer page, the manifest).  ``Access-Control-Allow-Origin: *``
as the API requires; a browser sends no cookie with a cross-origin request
that is answered with ``*``, so another site's script reads nothing.
"""

from __future__ import annotations

import hashlib
import json
import re

from flask import Blueprint, Response, abort, redirect, request, url_for
from flask_login import current_user, login_required

from docstore.services import archive
from docstore.services.archive import ImagePage
from ingest import pyramid
from ingest.process import page_prefix
from ingest.rebuild import rebuild_page
from storage import derived_key, original_key
from viewer.iiif.encode import encode
from viewer.iiif.info import CONTEXT, LIMITS, PROFILE, info
from viewer.iiif.local_files import LocalFiles
from viewer.iiif.params import ImageRequestError, parse
from viewer.iiif.sources import PageSource, PdfSource, PreviewSource, PyramidSource
from viewer.renditions import preview

from .context import instance
from .outgoing import black_out_region, current_mark, mark_region, outgoing_tag, upscaled

bp = Blueprint("iiif", __name__, url_prefix="/iiif/3")

IDENTIFIER = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
local_files = LocalFiles()


@bp.after_request
def _cors(response: Response) -> Response:
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response


def _page(identifier: str) -> ImagePage:
    if not IDENTIFIER.fullmatch(identifier):
        abort(404)
    with instance().db.session() as s:
        return archive.open_image_page(s, current_user.user, identifier)


def _source(page: ImagePage) -> PageSource:
    store = instance().store
    if page.mime_type == "application/pdf":
        return PdfSource.open(local_files.path(store, original_key(page.sha256)), page.number)
    key = derived_key(page.sha256, f"{page_prefix(page.number)}/{pyramid.NAME}")
    try:
        return PyramidSource.open(local_files.path(store, key))
    except FileNotFoundError:
        pass  # a small page, or one 'bauakte pyramids' has not reached: its preview serves

    def rebuild() -> None:
        limit = instance().config.image_max_pixels
        rebuild_page(store, page.sha256, page.mime_type, page.number, limit)

    return PreviewSource.of(preview(store, page.sha256, page.number, rebuild).data)


@bp.route("/<identifier>")
@login_required
def base(identifier: str) -> Response:
    _page(identifier)
    return redirect(url_for(".image_info", identifier=identifier), 303)  # type: ignore[return-value]


@bp.route("/<identifier>/info.json")
@login_required
def image_info(identifier: str) -> Response:
    source = _source(_page(identifier))
    service = url_for(".base", identifier=identifier, _external=True)
    body = json.dumps(info(service, source.size, upscaling=current_mark() is None))
    linked_data = "application/ld+json" in request.headers.get("Accept", "")
    mimetype = f'application/ld+json;profile="{CONTEXT}"' if linked_data else "application/json"
    response = Response(body, mimetype=mimetype)
    response.headers["Vary"] = "Accept"
    response.headers["Cache-Control"] = "private, no-cache"
    return response


@bp.route("/<identifier>/<region>/<size>/<rotation>/<quality_format>")
@login_required
def image(identifier: str, region: str, size: str, rotation: str, quality_format: str) -> Response:
    page = _page(identifier)
    source = _source(page)
    try:
        wanted = parse(region, size, rotation, quality_format, source.size, LIMITS)
    except ImageRequestError as exc:
        return Response(f"{exc}\n", status=400, mimetype="text/plain")
    mark = current_mark()
    if mark is not None and upscaled(wanted):
        # an enlarged pixel would show between the mark's strokes: staff only
        return Response("upscaling is for the authority's staff\n", status=400,
                        mimetype="text/plain")  # fmt: skip
    outgoing = outgoing_tag(mark, page.regions)
    name = f"{page.sha256}:{page.number}:{source.tag}:{source.size}:{wanted}:{outgoing}"
    etag = hashlib.sha256(name.encode()).hexdigest()[:32]
    if request.if_none_match.contains(etag):
        response = Response(status=304)
    else:
        pixels = source.cut(wanted.region, wanted.size)
        if page.regions:  # a scanned PDF's coarser picture widens the black
            source_px = getattr(source, "source_px", None)
            pixels = black_out_region(pixels, page.regions, source.size, wanted, source_px)
        marking = None if mark is None else lambda image: mark_region(image, mark, wanted)
        data, mimetype = encode(pixels, wanted, marking)
        response = Response(data, mimetype=mimetype)
    response.set_etag(etag)
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Link"] = f'<{PROFILE}>;rel="profile"'
    return response
